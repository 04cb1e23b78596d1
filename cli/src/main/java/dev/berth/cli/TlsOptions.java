package dev.berth.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The three PEM files {@code berth tls} makes, for a component that serves or dials with TLS; each is a setting of the same name. */
final class TlsOptions {
    @Option(names = "--tls-ca", paramLabel = "FILE", description = "the cluster's CA (berth tls ca create): with --tls-cert and --tls-key, TLS")
    Path tlsCa;
    @Option(names = "--tls-cert", paramLabel = "FILE", description = "this component's certificate (berth tls cert create --role …)")
    Path tlsCert;
    @Option(names = "--tls-key", paramLabel = "FILE", description = "its key")
    Path tlsKey;
}
