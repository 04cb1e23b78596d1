package dev.berth.executor.image;

import java.util.List;

/** What an image says about running it: the parts of the OCI image config that Berth uses. */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {
    public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), null, null);

    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
