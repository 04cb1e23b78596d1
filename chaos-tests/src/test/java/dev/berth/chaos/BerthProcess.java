package dev.berth.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code berth} command running as its own process on a test host: started with
 * {@code nsenter --net=…} (not {@code ip netns exec}, which remounts /sys and hides the cgroup
 * mounts), its output in a log file, ended by its pid.
 */
final class BerthProcess {
    static final Path JAR = Path.of(System.getProperty("berth.jar", "../cli/target/berth.jar")).toAbsolutePath().normalize();
    static final String JAVA = System.getProperty("berth.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    private static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED", "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "-Dhazelcast.logging.type=slf4j", "-Dhazelcast.phone.home.enabled=false",
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    final String name;
    final Path log;
    private final Process process;

    private BerthProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** {@code berth ARGS…} in the host's network namespace. */
    static BerthProcess start(String name, TestNet.Host host, Path log, List<String> args) throws IOException {
        if (!Files.exists(JAR)) throw new IOException(JAR + " is missing: build the cli module first (mvn package)");
        var cmd = new ArrayList<String>(List.of("nsenter", "--net=" + host.nsPath()));
        cmd.addAll(command(args));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new BerthProcess(name, log, p);
    }

    /** A Java main class of the test classpath (a Kafka broker) in the host's network namespace. */
    static BerthProcess startMain(String name, TestNet.Host host, Path log, Class<?> main, List<String> args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var cmd = new ArrayList<String>(List.of("nsenter", "--net=" + host.nsPath(), JAVA, "-Xmx384m", "-cp", classpath, main.getName()));
        cmd.addAll(args);
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new BerthProcess(name, log, p);
    }

    /** {@code berth ARGS…} here, to the end; its output, or an exception with it. */
    static String run(List<String> args) throws IOException, InterruptedException {
        var p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("berth " + String.join(" ", args) + " failed: " + out);
        return out;
    }

    private static List<String> command(List<String> args) {
        var cmd = new ArrayList<String>();
        cmd.add(JAVA);
        cmd.addAll(JVM_FLAGS);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(args);
        return cmd;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** kill -9: no goodbye, nothing cleaned up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as systemd stops it; SIGKILL after {@code seconds}. */
    void stop(int seconds) throws InterruptedException {
        terminate();
        awaitEnd(seconds);
    }

    /** SIGTERM without waiting, so that several members stop at once. */
    void terminate() {
        if (process.isAlive()) process.destroy();
    }

    /** Waits for the end after {@link #terminate()}; SIGKILL after {@code seconds}. */
    void awaitEnd(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
