package dev.berth.cli;

import dev.berth.cli.client.ApiClient;
import picocli.CommandLine.Option;

/** The address of a scheduler's API, shared by every client command. */
final class ApiOptions {
    @Option(names = "--address", paramLabel = "URL", defaultValue = "${env:BERTH_ADDR:-http://127.0.0.1:7070}",
            description = "API address (env BERTH_ADDR; default ${DEFAULT-VALUE})")
    String address;

    @Option(names = "--json", description = "print the API's JSON instead of a table")
    boolean json;

    ApiClient client() {
        return new ApiClient(address);
    }

    /** With --json, prints the API's answer as it came and returns true; the caller prints a table otherwise. */
    boolean printedJson(java.io.PrintWriter out, String body) {
        if (json) out.println(body);
        return json;
    }
}
