package dev.berth.executor.image.registry;

import static dev.berth.executor.image.registry.OciLayout.files;
import static dev.berth.executor.image.registry.OciLayout.tar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** OCI layouts that tests outside this package push. */
public final class TestLayouts {
    private TestLayouts() {
    }

    /**
     * Tag v1: busybox (gzip), then a layer adding /etc/gone and /opt/old/{a,b} (gzip), then one
     * (zstd) that whites out /etc/gone, makes /opt/old opaque with only c, and adds /data/hello.txt.
     */
    public static Path whiteoutImage(Path dir, Path busyboxTar) throws Exception {
        var layout = new OciLayout(dir);
        var base = layout.layer(Files.readAllBytes(busyboxTar), false);
        var extra = layout.layer(tar(files("etc/gone", "to be whited out\n", "opt/old/", null, "opt/old/a", "a\n", "opt/old/b", "b\n")), false);
        var changes = layout.layer(tar(files("etc/.wh.gone", "", "opt/old/", null, "opt/old/.wh..wh..opq", "", "opt/old/c", "c\n",
                "data/hello.txt", "hello from a registry\n")), true);
        layout.tag(layout.image(List.of(base, extra, changes), "amd64", List.of("sh")), "v1");
        return dir;
    }
}
