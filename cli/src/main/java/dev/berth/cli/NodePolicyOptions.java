package dev.berth.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The node policy's flags, shared by {@code berth executor} and {@code berth up}; read as settings through {@link Flags}. */
final class NodePolicyOptions {
    @Option(names = "--allow-caps", paramLabel = "CAP", description = "a capability tasks may add beyond Docker's default set (repeatable; ALL for any)")
    List<String> allowCaps = new ArrayList<>();
    @Option(names = "--allow-unconfined", description = "let tasks opt out of the seccomp filter (seccomp: unconfined)")
    boolean allowUnconfined;
    @Option(names = "--max-task-cpu", paramLabel = "CPU", description = "the most cpu one task may ask on this node (default: its capacity)")
    String maxTaskCpu;
    @Option(names = "--max-task-memory", paramLabel = "SIZE", description = "the most memory one task may ask on this node (default: its capacity)")
    String maxTaskMemory;
}
