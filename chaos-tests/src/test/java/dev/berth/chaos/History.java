package dev.berth.chaos;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the executors ran, from their own records ({@code runs.jsonl}): each run of an allocation
 * on a node with the leader epoch it obeyed, when it started and ended and how. The checks read
 * this history after a fault, in the manner of Jepsen's checkers: each returns every violation it
 * finds, as sentences a person can act on; none looks at timing luck.
 */
final class History {
    /** @param obeyed when the node took the run command; {@code started} when the container ran (starts overlap, so their order may differ) */
    record Run(String node, String alloc, String job, String group, int index, long epoch, Instant obeyed, Instant started, Instant ended, String status,
               Integer exitCode) {
        boolean completed() {
            return "exited".equals(status) && Integer.valueOf(0).equals(exitCode);
        }

        String instance() {
            return job + "/" + group + "[" + index + "]";
        }

        Run endedAt(Instant at, String how) {
            return new Run(node, alloc, job, group, index, epoch, obeyed, started, at, how, exitCode);
        }

        @Override
        public String toString() {
            return String.format("%-4s %-14s %-34s epoch %-3d %s → %s %s%s", node, alloc, instance(), epoch, started,
                    ended == null ? "(running)" : ended, status == null ? "" : status, exitCode == null ? "" : " " + exitCode);
        }
    }

    final List<Run> runs;

    History(List<Run> runs) {
        this.runs = List.copyOf(runs);
    }

    /** Each node's record, paired into runs (a start and the end that follows it for that allocation). */
    static History read(Map<String, Path> records) throws IOException {
        var runs = new ArrayList<Run>();
        for (var e : records.entrySet()) {
            var open = new HashMap<String, Integer>();
            for (Path f : List.of(e.getValue().resolveSibling(e.getValue().getFileName() + ".1"), e.getValue())) {
                if (!Files.exists(f)) continue;
                for (String line : Files.readAllLines(f)) {
                    if (line.isBlank()) continue;
                    var j = new JsonObject(line);
                    Instant at = Instant.parse(j.getString("time"));
                    if (j.getString("event").equals("started")) {
                        open.put(j.getString("alloc"), runs.size());
                        runs.add(new Run(e.getKey(), j.getString("alloc"), j.getString("job"), j.getString("group"), j.getInteger("index"),
                                j.getLong("epoch"), Instant.parse(j.getString("obeyed")), at, null, null, null));
                    } else {
                        Integer i = open.remove(j.getString("alloc"));
                        if (i == null) continue;
                        Run r = runs.get(i);
                        runs.set(i, new Run(r.node, r.alloc, r.job, r.group, r.index, r.epoch, r.obeyed, r.started, at, j.getString("status"),
                                j.getInteger("exitCode")));
                    }
                }
            }
        }
        runs.sort(Comparator.comparing(Run::started));
        return new History(runs);
    }

    /** The runs still open on {@code node} as ended at {@code at} (a node killed with -9 writes no end). */
    History killed(String node, Instant at) {
        return new History(runs.stream().map(r -> r.node.equals(node) && r.ended == null ? r.endedAt(at, "killed") : r).toList());
    }

    List<Run> of(String job) {
        return runs.stream().filter(r -> r.job.equals(job)).toList();
    }

    /** A batch instance completes once: two successful runs of one instance is a violation. */
    List<String> completedTwice() {
        return runs.stream().filter(Run::completed).collect(Collectors.groupingBy(Run::instance, LinkedHashMap::new, Collectors.toList()))
                .entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> e.getKey() + " completed " + e.getValue().size() + " times: " + e.getValue()).toList();
    }

    /** A node obeys epochs in order: a run command obeyed under an older epoch than one obeyed before is a violation. */
    List<String> epochsWentBack() {
        var out = new ArrayList<String>();
        var last = new HashMap<String, Run>();
        for (Run r : runs.stream().sorted(Comparator.comparing(Run::obeyed)).toList()) {
            Run before = last.get(r.node);
            if (before != null && r.epoch < before.epoch) out.add(r.node + " obeyed " + r.alloc + " under epoch " + r.epoch + " after epoch " + before.epoch + " (" + before.alloc + ")");
            if (before == null || r.epoch >= before.epoch) last.put(r.node, r);
        }
        return out;
    }

    /** Run commands of an epoch older than {@code epoch} obeyed after {@code since}: a deposed leader's commands obeyed. */
    List<String> obeyedUnderOldEpochAfter(long epoch, Instant since) {
        return runs.stream().filter(r -> r.obeyed.isAfter(since) && r.epoch < epoch)
                .map(r -> r + ": obeyed under epoch " + r.epoch + " after epoch " + epoch + " led").toList();
    }

    /** Two runs of one instance at once (among the runs {@code which} selects): a violation for instances that must run once at a time. */
    List<String> overlapping(Predicate<Run> which) {
        var out = new ArrayList<String>();
        var byInstance = runs.stream().filter(which).collect(Collectors.groupingBy(Run::instance));
        for (var e : byInstance.entrySet()) {
            var list = e.getValue();
            for (int i = 0; i < list.size(); i++) {
                for (int j = i + 1; j < list.size(); j++) {
                    Run a = list.get(i), b = list.get(j);
                    Instant aEnd = a.ended == null ? Instant.MAX : a.ended, bEnd = b.ended == null ? Instant.MAX : b.ended;
                    if (a.started.isBefore(bEnd) && b.started.isBefore(aEnd)) out.add(e.getKey() + " ran twice at once: " + a + " and " + b);
                }
            }
        }
        return out;
    }

    /** Every run, oldest first: what a failing test prints. */
    String table() {
        return runs.stream().map(Run::toString).collect(Collectors.joining("\n  ", "history (" + runs.size() + " runs):\n  ", "\n"));
    }
}
