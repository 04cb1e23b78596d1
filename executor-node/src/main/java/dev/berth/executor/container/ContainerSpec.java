package dev.berth.executor.container;

import dev.berth.executor.network.Attachment;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the launcher needs, decided beforehand by {@link ContainerPlanner} (pure): the launch
 * threads then only carry it out with system calls.
 *
 * @param lowerDirs   image layers, top first (overlay's order)
 * @param dir         the container's own dir on the host: upper/, work/, rootfs/, etc/
 * @param executable  argv[0] resolved inside the image
 * @param capabilities mask of the capabilities kept
 * @param namespaces  CLONE_NEW* flags
 * @param network     its place on the node's bridge; null without one (network mode none or host)
 * @param resolvConf  its /etc/resolv.conf
 */
public record ContainerSpec(String id, String hostname, List<Path> lowerDirs, Path dir, boolean readOnlyRootfs,
                            String executable, List<String> argv, List<String> env, String workdir,
                            int uid, int gid, int[] groups, long capabilities, boolean seccomp, int namespaces,
                            List<BindMount> mounts, Path stdout, Path stderr, Attachment network, String resolvConf) {
    public ContainerSpec {
        lowerDirs = List.copyOf(lowerDirs);
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
    }

    public ContainerSpec withNetwork(Attachment a) {
        return new ContainerSpec(id, hostname, lowerDirs, dir, readOnlyRootfs, executable, argv, env, workdir, uid, gid, groups,
                capabilities, seccomp, namespaces, mounts, stdout, stderr, a, resolvConf);
    }

    public boolean ownNetwork() {
        return (namespaces & dev.berth.executor.linux.Sys.CLONE_NEWNET) != 0;
    }

    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    /** A host path made visible in the container. */
    public record BindMount(Path source, String target, boolean readOnly) {
    }
}
