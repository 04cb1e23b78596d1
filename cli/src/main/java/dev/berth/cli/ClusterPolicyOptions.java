package dev.berth.cli;

import picocli.CommandLine.Option;

/**
 * The cluster-wide policies a scheduler member applies, shared by {@code berth scheduler} and
 * {@code berth up}; read as settings through {@link Flags}.
 */
final class ClusterPolicyOptions {
    @Option(names = "--job-gc-after", paramLabel = "DURATION", description = "remove jobs that ended longer ago than this, with their allocations and logs (default 24h)")
    String jobGcAfter;

    @Option(names = "--share-half-life", paramLabel = "DURATION", description = "how fast the fair share forgets a queue's past usage: it counts half after this long (default 24h)")
    String shareHalfLife;

    @Option(names = "--container-range", paramLabel = "CIDR", description = "the cluster's container addresses; nodes without --subnet are each leased a block of it (default 10.210.0.0/16)")
    String containerRange;

    @Option(names = "--node-subnet-prefix", paramLabel = "N", description = "the size of each node's block of the container range (default 24)")
    Integer nodeSubnetPrefix;
}
