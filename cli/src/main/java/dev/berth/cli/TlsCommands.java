package dev.berth.cli;

import dev.berth.cli.tls.CertificateAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tls", mixinStandardHelpOptions = true, description = "A private CA for the cluster and the certificates of its members, executors and CLI users.",
        subcommands = {TlsCommands.Ca.class, TlsCommands.Cert.class})
final class TlsCommands {

    @Command(name = "ca", mixinStandardHelpOptions = true, description = "The cluster's CA.", subcommands = {CaCreate.class})
    static final class Ca {
    }

    @Command(name = "create", description = "Make a CA: ca.pem (give it to every component) and ca-key.pem (keep it on the machine that signs).")
    static final class CaCreate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "where ca.pem and ca-key.pem go") Path dir;
        @Option(names = "--days", defaultValue = "3650", description = "valid for (default ${DEFAULT-VALUE})") int days;

        @Override
        public Integer call() throws Exception {
            var ca = CertificateAuthority.create(dir, Duration.ofDays(days));
            spec.commandLine().getOut().printf("Made a CA (%s) in %s: ca.pem, ca-key.pem (keep the key private)%n",
                    ca.certificate().getSubjectX500Principal().getName(), dir);
            return 0;
        }
    }

    @Command(name = "cert", mixinStandardHelpOptions = true, description = "Certificates signed by the CA.", subcommands = {CertCreate.class})
    static final class Cert {
    }

    @Command(name = "create", description = {"Make a certificate for a scheduler member, an executor or a CLI user, signed by the CA in --dir:",
            "<role>.pem and <role>-key.pem (or --out NAME). An executor's --name is its node id: the schedulers let it act only as that node."})
    static final class CertCreate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--role", required = true, description = "scheduler, executor or cli") String role;
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "holds the CA; the certificate goes here too") Path dir;
        @Option(names = "--host", paramLabel = "NAME_OR_IP", description = "a name or address the holder is reached at (repeatable; default localhost and 127.0.0.1)")
        List<String> hosts = new ArrayList<>();
        @Option(names = "--name", description = "the certificate's name: an executor's node id (default: the role)") String name;
        @Option(names = "--out", paramLabel = "NAME", description = "file names NAME.pem and NAME-key.pem (default: the role)") String out;
        @Option(names = "--days", defaultValue = "365", description = "valid for (default ${DEFAULT-VALUE})") int days;

        @Override
        public Integer call() throws Exception {
            var ca = CertificateAuthority.load(dir);
            var h = hosts.isEmpty() ? List.of("localhost", "127.0.0.1") : hosts;
            var issued = ca.issue(dir, role, name != null ? name : role, h, out != null ? out : role, Duration.ofDays(days));
            spec.commandLine().getOut().printf("Made %s and %s: %s %s, for %s, valid until %s%n", issued.cert(), issued.key(), role, name != null ? name : role,
                    String.join(", ", h), issued.certificate().getNotAfter().toInstant());
            return 0;
        }
    }
}
