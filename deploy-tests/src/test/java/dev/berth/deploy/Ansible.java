package dev.berth.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the project's playbooks as a user would ({@code ansible-playbook -i INVENTORY PLAYBOOK}), each run's output kept in a log. */
final class Ansible {
    /** What a run printed last: its play recap. */
    record Run(String playbook, String output) {
        /** The recap's "changed=N" of a host. */
        int changed(String host) {
            var m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(host) + "\\s+:.*changed=(\\d+)").matcher(output);
            if (!m.find()) throw new IllegalStateException(playbook + ": no recap line for " + host);
            return Integer.parseInt(m.group(1));
        }
    }

    private final Path ansibleDir;
    private final Path inventory;
    private final Path logs;
    private int runs;

    Ansible(Path ansibleDir, Path inventory, Path logs) {
        this.ansibleDir = ansibleDir;
        this.inventory = inventory;
        this.logs = logs;
    }

    Run play(String playbook, String... extra) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of("ansible-playbook", "-i", inventory.toString(), playbook));
        command.addAll(List.of(extra));
        Files.createDirectories(logs);
        Path log = logs.resolve(String.format("%02d-%s.log", ++runs, playbook.replace(".yml", "")));
        var pb = new ProcessBuilder(command).directory(ansibleDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ANSIBLE_CONFIG", ansibleDir.resolve("ansible.cfg").toString());
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        pb.environment().put("ANSIBLE_FORCE_COLOR", "0");
        Process p = pb.start();
        if (!p.waitFor(Duration.ofMinutes(20).toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(playbook + " ran longer than 20 minutes; its output: " + log);
        }
        String output = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new IOException("ansible-playbook " + playbook + " exited " + p.exitValue() + " (" + log + "):\n" + tail(output, 60));
        }
        return new Run(playbook, output);
    }

    static String tail(String text, int lines) {
        var all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
