package dev.berth.executor.container;

import dev.berth.executor.image.ImageConfig;
import dev.berth.executor.network.Attachment;
import dev.berth.executor.linux.Capabilities;
import dev.berth.executor.linux.Sys;
import dev.berth.model.spec.NetworkMode;
import dev.berth.model.spec.TaskSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Turns a task, its image and the node's rules into a {@link ContainerSpec}: the command line
 * (entrypoint + command), the environment (image, then task), the user as numbers, the workdir,
 * the capability mask, the namespaces, and the volumes the node allows. Pure apart from reading
 * the image's /etc/passwd and PATH through {@link ImageFiles}; every refusal is a reason a user can act on.
 */
public final class ContainerPlanner {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ContainerPlanner() {
    }

    /**
     * Node-side rules.
     *
     * @param usernsDefault every task gets a user namespace, asked for or not
     * @param usernsBase    the first host id of the ranges user namespaces map to
     */
    public record NodeRules(List<Path> allowedVolumeRoots, boolean hostNetworkAllowed, dev.berth.model.policy.NodePolicy policy,
                            boolean usernsDefault, long usernsBase) {
        public static final long DEFAULT_USERNS_BASE = 100_000;

        public NodeRules {
            allowedVolumeRoots = List.copyOf(allowedVolumeRoots);
        }

        public NodeRules(List<Path> allowedVolumeRoots, boolean hostNetworkAllowed, dev.berth.model.policy.NodePolicy policy) {
            this(allowedVolumeRoots, hostNetworkAllowed, policy, false, DEFAULT_USERNS_BASE);
        }

        /** Whether {@code task} runs in a user namespace here. */
        public boolean userns(TaskSpec task) {
            return task.userns() || usernsDefault;
        }
    }

    public static ContainerSpec plan(String id, TaskSpec task, ImageConfig image, List<Path> layersTopFirst, ImageFiles files,
                                     Path containerDir, Path allocDir, NodeRules rules, Attachment network, String resolvConf) {
        var refused = rules.policy().refusals(task);
        if (!refused.isEmpty()) throw new IllegalArgumentException(String.join("; ", refused));
        var argv = new ArrayList<>(image.entrypoint());
        argv.addAll(task.command().isEmpty() ? image.cmd() : task.command());
        if (argv.isEmpty()) throw new IllegalArgumentException("the task has no command and its image has no entrypoint or cmd");

        var env = new LinkedHashMap<String, String>();
        for (String kv : image.env()) {
            int eq = kv.indexOf('=');
            if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.put("HOSTNAME", hostname(id));
        env.putAll(task.env());
        String executable = resolve(argv.getFirst(), env.get("PATH"), files, task.image());

        String user = task.user() != null ? task.user() : image.user() != null && !image.user().isBlank() ? image.user() : "0";
        int[] ids = Users.resolve(user, files);
        env.putIfAbsent("HOME", ids[0] == 0 ? "/root" : "/");

        String workdir = task.workdir() != null ? task.workdir() : image.workingDir() != null && !image.workingDir().isBlank() ? image.workingDir() : "/";

        int namespaces = Sys.CLONE_NEWNS | Sys.CLONE_NEWUTS | Sys.CLONE_NEWIPC | Sys.CLONE_NEWPID | Sys.CLONE_NEWCGROUP;
        if (task.network().mode() == NetworkMode.HOST) {
            if (!rules.hostNetworkAllowed()) throw new IllegalArgumentException("network mode host is not allowed on this node");
        } else {
            namespaces |= Sys.CLONE_NEWNET;
        }

        var mounts = new ArrayList<ContainerSpec.BindMount>();
        for (TaskSpec.Volume v : task.volumes()) {
            Path source = Path.of(v.source()).normalize();
            if (rules.allowedVolumeRoots().stream().noneMatch(source::startsWith)) {
                throw new IllegalArgumentException("volume " + v.source() + " is not under a host path this node allows " + rules.allowedVolumeRoots());
            }
            mounts.add(new ContainerSpec.BindMount(source, v.target(), v.readOnly()));
        }

        // a dispatched child's payload: the runtime writes it to allocDir/berth/payload; the task reads it at /berth/payload
        if (task.payload() != null) mounts.add(new ContainerSpec.BindMount(allocDir.resolve(PAYLOAD_DIR), "/berth", true));

        var envList = new ArrayList<String>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        return new ContainerSpec(id, hostname(id), layersTopFirst, containerDir, task.readOnlyRootfs(), executable, argv, envList,
                workdir, ids[0], ids[1], new int[] {ids[1]}, capabilities(task), !task.seccomp().equals("unconfined"),
                namespaces, mounts, allocDir.resolve("stdout.log"), allocDir.resolve("stderr.log"), network, resolvConf, -1);
    }

    /** The allocation's dir that holds its payload, mounted read-only at /berth. */
    static final String PAYLOAD_DIR = "berth";

    /** Docker's hostname for a container: its id, cut to 12 characters. */
    static String hostname(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    static long capabilities(TaskSpec task) {
        var keep = new LinkedHashSet<>(Capabilities.DEFAULT);
        for (String c : task.capAdd()) {
            if (c.equalsIgnoreCase("ALL")) keep.addAll(Capabilities.NUMBERS.keySet());
            else keep.add(canonical(c));
        }
        for (String c : task.capDrop()) {
            if (c.equalsIgnoreCase("ALL")) keep.clear();
            else keep.remove(canonical(c));
        }
        return Capabilities.mask(keep);
    }

    private static String canonical(String cap) {
        Capabilities.number(cap);
        String n = cap.toUpperCase(java.util.Locale.ROOT);
        return n.startsWith("CAP_") ? n.substring(4) : n;
    }

    /**
     * argv[0] as the kernel will find it inside the container: a path as given, a name searched in
     * PATH. A link that loops or leads nowhere is refused here, with its name, rather than as a bare
     * errno from the exec inside the container.
     */
    static String resolve(String command, String path, ImageFiles files, String image) {
        if (command.contains("/")) {
            String absolute = command.startsWith("/") ? command : "/" + command;
            if (!files.exists(absolute)) throw new IllegalArgumentException("executable " + command + " is not in the image");
            return runnable(command, absolute, files, image);
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            String candidate = (dir.endsWith("/") ? dir : dir + "/") + command;
            if (files.exists(candidate)) return runnable(candidate, candidate, files, image);
        }
        throw new IllegalArgumentException("executable \"" + command + "\" is not in the image's PATH (" + path + ")");
    }

    private static String runnable(String command, String absolute, ImageFiles files, String image) {
        return switch (files.follow(absolute)) {
            case ImageFiles.Resolved.Found f -> command;
            case ImageFiles.Resolved.Loop l -> throw new IllegalArgumentException(absolute + " in image " + image
                    + " is a symlink loop (more than " + ImageFiles.MAX_LINKS + " links; e.g. a busybox that links to itself)");
            case ImageFiles.Resolved.Missing m -> throw new IllegalArgumentException(absolute + " in image " + image
                    + " is a symlink to " + m.path() + ", which is not in the image");
        };
    }

}
