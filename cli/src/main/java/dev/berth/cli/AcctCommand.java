package dev.berth.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What ran and what it used, as Slurm's sacct shows it: one line per allocation. */
@Command(name = "acct", description = "List allocations with their elapsed time, cpu seconds, peak memory, exit code and signal.",
        mixinStandardHelpOptions = true)
final class AcctCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;

    @Option(names = "--job", paramLabel = "ID", description = "only this job's allocations")
    String job;

    @Option(names = "--status", description = "only allocations in this status (pending, running, complete, failed, lost)")
    String status;

    @Option(names = "--since", paramLabel = "DURATION|INSTANT", description = "only those that had not ended by then, e.g. 1h or 2026-12-01T10:00:00Z")
    String since;

    @Option(names = "--csv", description = "comma-separated values with a header, for a spreadsheet")
    boolean csv;

    static final String[] HEADER = {"ALLOCATION", "JOB", "GROUP", "INDEX", "NODE", "STATUS", "START", "ELAPSED_S", "CPU_S", "PEAK_MEMORY", "EXIT", "SIGNAL"};

    @Override
    public Integer call() throws Exception {
        var query = new StringBuilder();
        add(query, "job", job);
        add(query, "status", status);
        add(query, "since", since);
        String body = api.client().get("/v1/allocations" + query);
        var out = spec.commandLine().getOut();
        if (api.printedJson(out, body)) return 0;
        var rows = new JsonArray(body);
        if (csv) {
            out.println(String.join(",", HEADER).toLowerCase(java.util.Locale.ROOT));
            for (int i = 0; i < rows.size(); i++) {
                out.println(String.join(",", java.util.Arrays.stream(cells(rows.getJsonObject(i), true)).map(AcctCommand::csvCell).toList()));
            }
            out.flush();
            return 0;
        }
        var t = new Tables(HEADER);
        for (int i = 0; i < rows.size(); i++) t.row((Object[]) cells(rows.getJsonObject(i), false));
        t.print(out);
        return 0;
    }

    static String[] cells(JsonObject a, boolean raw) {
        var acct = a.getJsonObject("accounting");
        Double elapsed = a.getDouble("elapsedSeconds");
        String peak = acct == null ? null : raw ? Long.toString(acct.getLong("peakMemory")) : dev.berth.model.units.ByteSize.ofBytes(acct.getLong("peakMemory")).human();
        return new String[] {a.getString("id"), a.getString("jobId"), a.getString("group"), String.valueOf(a.getInteger("index")),
                a.getString("nodeId"), a.getString("status"), a.getString("startedAt"),
                elapsed == null ? null : String.format(java.util.Locale.ROOT, "%.1f", elapsed),
                acct == null ? null : String.format(java.util.Locale.ROOT, "%.3f", acct.getDouble("cpuSeconds")), peak,
                a.getInteger("exitCode") == null ? null : String.valueOf(a.getInteger("exitCode")),
                a.getInteger("signal") == null ? null : String.valueOf(a.getInteger("signal"))};
    }

    private static String csvCell(String v) {
        if (v == null) return "";
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    private static void add(StringBuilder q, String key, String value) {
        if (value == null) return;
        q.append(q.isEmpty() ? '?' : '&').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
