package dev.berth.executor.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads a chunk of an allocation's log from an offset, so that a reader can follow it as it grows. */
public final class LogReader {
    private LogReader() {
    }

    /** Up to {@code max} bytes from {@code offset}; empty at the end or when the task wrote nothing yet. */
    public static byte[] read(Path file, long offset, int max) throws IOException {
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset >= size) return new byte[0];
            var buf = ByteBuffer.allocate((int) Math.min(max, size - offset));
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) break;
            }
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }
}
