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
 * @param usernsBase  with a user namespace: the host id that is 0 inside (ids 0–65535 map to the {@link UserRanges#SIZE}
 *                    from there); -1 without one
 */
public record ContainerSpec(String id, String hostname, List<Path> lowerDirs, Path dir, boolean readOnlyRootfs,
                            String executable, List<String> argv, List<String> env, String workdir,
                            int uid, int gid, int[] groups, long capabilities, boolean seccomp, int namespaces,
                            List<BindMount> mounts, Path stdout, Path stderr, Attachment network, String resolvConf,
                            long usernsBase) {
    public ContainerSpec {
        lowerDirs = List.copyOf(lowerDirs);
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
    }

    public ContainerSpec withNetwork(Attachment a) {
        return new ContainerSpec(id, hostname, lowerDirs, dir, readOnlyRootfs, executable, argv, env, workdir, uid, gid, groups,
                capabilities, seccomp, namespaces, mounts, stdout, stderr, a, resolvConf, usernsBase);
    }

    /** This container with a user namespace whose 0 is host id {@code base}. */
    public ContainerSpec withUserns(long base) {
        return new ContainerSpec(id, hostname, lowerDirs, dir, readOnlyRootfs, executable, argv, env, workdir, uid, gid, groups,
                capabilities, seccomp, namespaces, mounts, stdout, stderr, network, resolvConf, base);
    }

    public boolean userns() {
        return usernsBase >= 0;
    }

    /** A host id for id {@code inside} of the container (itself without a user namespace). */
    public long hostId(int inside) {
        return userns() ? usernsBase + inside : inside;
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
