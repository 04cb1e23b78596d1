package dev.berth.executor.container;

import dev.berth.executor.ProcFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The block device under a path, as "major:minor" of the whole disk (io throttling applies to disks, not partitions). */
public final class BlockDevices {
    private BlockDevices() {
    }

    public static String diskOf(Path path) throws IOException {
        long dev = (long) Files.getAttribute(path, "unix:dev");
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path sys = Path.of("/sys/dev/block/" + major + ":" + minor);
        if (!Files.exists(sys)) return null; // not a block device (tmpfs, overlay): nothing to throttle
        if (Files.exists(sys.resolve("partition"))) return ProcFiles.readTrimmed(sys.toRealPath().getParent().resolve("dev"));
        return major + ":" + minor;
    }
}
