package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The peer of {@code ./berth bench batch}: the same N trivial tasks as a Slurm job array on this
 * machine, when Debian's slurm-wlm is installed. A private single-node Slurm of its own (munged,
 * slurmctld and slurmd with their state in a temp dir, {@code SelectType=select/cons_tres},
 * {@code OverSubscribe=FORCE:64}: Slurm gives a task at least a cpu, Berth's take 10m), started for
 * the run and stopped after it; the host's own Slurm, if any, is not touched.
 */
final class SlurmBaseline implements AutoCloseable {
    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();
    private final Map<String, String> env;

    private SlurmBaseline(Path dir) {
        this.dir = dir;
        this.env = Map.of("SLURM_CONF", dir.resolve("slurm.conf").toString());
    }

    /** Whether slurm-wlm (slurmctld, slurmd, sbatch) and munge are installed. */
    static boolean installed() {
        for (String tool : List.of("/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/sbin/munged")) {
            if (!Files.isExecutable(Path.of(tool))) return false;
        }
        return true;
    }

    static SlurmBaseline start() throws Exception {
        Path dir = Files.createTempDirectory("berth-bench-slurm-");
        var slurm = new SlurmBaseline(dir);
        try {
            slurm.launch();
            return slurm;
        } catch (Exception e) {
            slurm.close();
            throw e;
        }
    }

    private void launch() throws Exception {
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("spool"));
        Files.createDirectories(dir.resolve("munge"));
        Files.setPosixFilePermissions(dir.resolve("munge"), PosixFilePermissions.fromString("rwx------"));
        Path key = dir.resolve("munge/munge.key");
        byte[] bytes = new byte[1024];
        new java.security.SecureRandom().nextBytes(bytes);
        Files.write(key, bytes);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
        Path socket = dir.resolve("munge/munge.socket");
        String host = java.net.InetAddress.getLocalHost().getHostName();
        int cpus = Runtime.getRuntime().availableProcessors();
        long memoryMiB = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(4096L) - 1024;
        int ctldPort = BridgeBench.freePort(), dPort = BridgeBench.freePort();
        Files.writeString(dir.resolve("slurm.conf"), """
                ClusterName=benchslurm
                SlurmctldHost=%s
                SlurmctldPort=%d
                SlurmdPort=%d
                SlurmUser=root
                AuthType=auth/munge
                AuthInfo=socket=%s
                CredType=cred/munge
                StateSaveLocation=%s
                SlurmdSpoolDir=%s
                SlurmctldPidFile=%s
                SlurmdPidFile=%s
                SlurmctldLogFile=%s
                SlurmdLogFile=%s
                SelectType=select/cons_tres
                SelectTypeParameters=CR_Core_Memory
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                MpiDefault=none
                ReturnToService=2
                SchedulerType=sched/backfill
                MaxArraySize=100001
                MaxJobCount=200000
                NodeName=%s CPUs=%d RealMemory=%d State=UNKNOWN
                PartitionName=bench Nodes=%s Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:64
                """.formatted(host, ctldPort, dPort, socket, dir.resolve("state"), dir.resolve("spool"), dir.resolve("slurmctld.pid"),
                dir.resolve("slurmd.pid"), dir.resolve("slurmctld.log"), dir.resolve("slurmd.log"), host, cpus, memoryMiB, host));
        daemon(List.of("/usr/sbin/munged", "-F", "--key-file=" + key, "--socket=" + socket, "--pid-file=" + dir.resolve("munge/munged.pid"),
                "--log-file=" + dir.resolve("munge/munged.log"), "--seed-file=" + dir.resolve("munge/munged.seed"), "--force"));
        await("munged's socket", () -> Files.exists(socket));
        daemon(List.of("/usr/sbin/slurmctld", "-D", "-i", "-f", dir.resolve("slurm.conf").toString()));
        daemon(List.of("/usr/sbin/slurmd", "-D", "-N", host, "-f", dir.resolve("slurm.conf").toString()));
        await("the Slurm node idle", () -> run(List.of("sinfo", "-h", "-o", "%t")).strip().startsWith("idle"));
    }

    /** Seconds from sbatch of an N-task array (each {@code /bin/true}, 1 cpu, 8 MiB) until none is queued or running. */
    double jobArray(int n) throws Exception {
        long t0 = System.nanoTime();
        String out = run(List.of("sbatch", "--parsable", "--array=0-" + (n - 1), "--cpus-per-task=1", "--mem=8M",
                "--output=/dev/null", "--wrap=/bin/true"));
        String job = out.strip().split(";")[0];
        while (!run(List.of("squeue", "-h", "-j", job)).isBlank()) {
            Thread.sleep(50); // polling Slurm's queue, the peer's own tool, as a user would
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private void daemon(List<String> command) throws IOException {
        var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(Path.of(command.getFirst()).getFileName() + ".out").toFile());
        pb.environment().putAll(env);
        daemons.add(pb.start());
    }

    private String run(List<String> command) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", command) + ": " + out);
        return out;
    }

    private void await(String what, java.util.concurrent.Callable<Boolean> ready) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            try {
                if (ready.call()) return;
            } catch (IOException notYet) {
                // the daemon is still starting
            }
            Thread.sleep(200); // a peer's daemon starting: nothing to wait on but its own answer
        }
        throw new IOException(what + " not ready within 60 s; see " + dir);
    }

    @Override
    public void close() throws Exception {
        for (Process p : daemons.reversed()) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        StartLatency.delete(dir);
    }
}
