package dev.berth.model.spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One container: what to run, with what limits, on what network. */
public record TaskSpec(String name, String image, List<String> command, Map<String, String> env, String workdir,
                       String user, Resources resources, NetworkSpec network, Duration killTimeout) {
    public TaskSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }
}
