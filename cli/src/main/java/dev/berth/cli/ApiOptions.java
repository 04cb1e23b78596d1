package dev.berth.cli;

import dev.berth.cli.client.ApiClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The API connection and output choice, shared by every client command. */
final class ApiOptions {
    @Mixin ApiConnection connection;

    @Option(names = "--json", description = "print the API's JSON instead of a table")
    boolean json;

    ApiClient client() throws java.io.IOException {
        return connection.client();
    }

    /** With --json, prints the API's answer as it came and returns true; the caller prints a table otherwise. */
    boolean printedJson(java.io.PrintWriter out, String body) {
        if (json) out.println(body);
        return json;
    }
}
