package dev.berth.cli;

import dev.berth.cli.client.ApiClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the API is and how to speak to it: address, token, TLS. */
final class ApiConnection {
    @Option(names = "--address", paramLabel = "URL", defaultValue = "${env:BERTH_ADDR:-http://127.0.0.1:7070}",
            description = "API address, or several members' separated by commas: the next is tried when one cannot be reached (env BERTH_ADDR; default ${DEFAULT-VALUE})")
    String address;

    @Option(names = "--token", paramLabel = "SECRET", defaultValue = "${env:BERTH_TOKEN}", description = "API token (env BERTH_TOKEN)")
    String token;

    @Option(names = "--tls-ca", paramLabel = "FILE", defaultValue = "${env:BERTH_TLS_CA}",
            description = "trust only this CA for https (env BERTH_TLS_CA)")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "${env:BERTH_TLS_CERT}", description = "client certificate (env BERTH_TLS_CERT)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "${env:BERTH_TLS_KEY}", description = "its key (env BERTH_TLS_KEY)")
    Path tlsKey;

    ApiClient client() throws java.io.IOException {
        return new ApiClient(address, token, tlsCa == null ? null : dev.berth.model.config.PemTls.context(tlsCa, tlsCert, tlsKey));
    }
}
