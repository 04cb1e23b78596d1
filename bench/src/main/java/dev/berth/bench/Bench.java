package dev.berth.bench;

import java.util.Arrays;

/** {@code ./berth bench NAME [options]}: the benchmarks, each printing its numbers. */
public final class Bench {
    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (name) {
            case "start" -> StartLatency.main(rest);
            case "placement" -> PlacementBench.main(rest);
            case "usage" -> UsageBench.main(rest);
            case "bridge" -> BridgeBench.main(rest);
            case "sim" -> SimBench.main(rest);
            case "network" -> NetworkBench.main(rest);
            case "batch" -> BatchBench.main(rest);
            case "memory" -> MemoryBench.main(rest);
            case "cluster" -> ClusterBench.main(rest);
            default -> {
                System.err.println("usage: ./berth bench start [--runs N] [--warmup N] [--no-runc] | placement [--seed N] | usage [--events N] [--nodes N] | bridge [--nodes N] | sim [--nodes N] [--tasks N] [--seed N] | network [--mib N] [--requests N] [--connections N] | batch [--tasks N …] [--network none|host] | memory [--containers N] | cluster [--nodes N …] [--allocations N] [--job-size N]");
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
    }
}
