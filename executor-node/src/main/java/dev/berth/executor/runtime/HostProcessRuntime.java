package dev.berth.executor.runtime;

import dev.berth.model.spec.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a task as a plain child process of the executor, in the allocation's dir, with only the
 * task's environment. It gives no isolation at all: it is the runtime of the foundation, which the
 * container runtime (namespaces, cgroups, rootfs from the image) replaces. The task's image,
 * user and workdir are not applied here.
 */
public final class HostProcessRuntime implements TaskRuntime {
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @Override
    public RunningTask start(String allocationId, TaskSpec task, Path allocDir) throws TaskStartException, IOException {
        if (task.command().isEmpty()) {
            throw new TaskStartException("task " + task.name() + " has no command (the image's default command needs the container runtime)");
        }
        Path workdir = Files.createDirectories(allocDir.resolve("local"));
        var pb = new ProcessBuilder(task.command()).directory(workdir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(allocDir.resolve("stdout.log").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(allocDir.resolve("stderr.log").toFile()));
        var env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("HOME", workdir.toString());
        env.put("BERTH_ALLOC_ID", allocationId);
        env.put("BERTH_TASK", task.name());
        env.putAll(task.env());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new TaskStartException("cannot start " + task.command().getFirst() + ": " + e.getMessage());
        }
        return new HostTask(p);
    }

    private static final class HostTask implements RunningTask {
        private final Process process;
        private final CompletableFuture<TaskExit> exit;
        private volatile int signalSent;

        HostTask(Process process) {
            this.process = process;
            // Java reports death by signal N as exit code 128 + N; only a signal we sent is named as one.
            this.exit = process.onExit().thenApply(p -> {
                int code = p.exitValue();
                return new TaskExit(code, signalSent != 0 && code == 128 + signalSent ? Integer.valueOf(signalSent) : null);
            });
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public CompletableFuture<TaskExit> exit() {
            return exit;
        }

        @Override
        public void terminate() {
            signalSent = 15;
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }

        @Override
        public void kill() {
            signalSent = 9;
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
