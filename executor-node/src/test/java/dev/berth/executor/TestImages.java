package dev.berth.executor;

import dev.berth.executor.image.BusyboxImage;
import java.io.IOException;
import java.nio.file.Path;

/** Test images are built from Debian's busybox-static, never downloaded; `.ci/run` installs it. */
public final class TestImages {
    private TestImages() {
    }

    public static Path busyboxTar(Path work) throws IOException, InterruptedException {
        return BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, work.resolve("busybox.tar"));
    }
}
