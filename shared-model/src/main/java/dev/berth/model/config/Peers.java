package dev.berth.model.config;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Who is at the other end of a TLS connection, as Berth's certificates say it: the role in the
 * subject's OU ({@code scheduler}, {@code executor}, {@code cli}) and the name in its CN (an
 * executor's node id). Vert.x checks no host name on the clustered bus or the bridge, so the
 * role is checked here, in the trust manager, on both ends of every handshake.
 */
public final class Peers {
    public static final String SCHEDULER = "scheduler", EXECUTOR = "executor", CLI = "cli";

    public record Identity(String role, String name) {
    }

    private Peers() {
    }

    /** The role and name of a Berth certificate; empty for a certificate without them. */
    public static Optional<Identity> identity(X509Certificate cert) {
        try {
            String role = null, name = null;
            for (var rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("OU")) role = String.valueOf(rdn.getValue());
                if (rdn.getType().equalsIgnoreCase("CN")) name = String.valueOf(rdn.getValue());
            }
            return role == null || name == null ? Optional.empty() : Optional.of(new Identity(role, name));
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    /**
     * The intermediate CA that signed this side's certificate for {@code role} (the second
     * certificate of {@code tls.cert()}, as {@code berth tls} writes it), as PEM, after checking
     * that it is that role's and that the cluster's CA signed it. Trusting only it refuses peers
     * of every other role by their chain, where no trust manager of ours can run (the clustered bus).
     */
    public static String roleAuthority(TlsFiles tls, String role) throws IOException {
        try {
            var chain = PemTls.certificates(tls.cert());
            if (chain.size() < 2 || chain.get(1).getBasicConstraints() < 0 || !identity(chain.get(1)).map(i -> i.role().equals(role)).orElse(false)) {
                throw new IOException(tls.cert() + " does not hold a " + role + " certificate with its " + role
                        + " intermediate CA (make it with berth tls cert create --role " + role + ")");
            }
            boolean signed = false;
            for (X509Certificate root : PemTls.certificates(tls.ca())) {
                try {
                    chain.get(1).verify(root.getPublicKey());
                    signed = true;
                } catch (GeneralSecurityException notThis) {
                    // another certificate of the file
                }
            }
            if (!signed) throw new IOException(tls.cert() + " was not signed by the CA in " + tls.ca());
            var b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(chain.get(1).getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read " + tls.cert() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trusts a peer only when its chain leads to {@code ca} (and to no other CA) and its certificate
     * says {@code role}.
     */
    public static X509TrustManager trusting(Path ca, String role) throws IOException {
        try {
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate c : PemTls.certificates(ca)) store.setCertificateEntry("ca-" + i++, c);
            var tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(store);
            X509ExtendedTrustManager pkix = null;
            for (var tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) pkix = x;
            }
            return new RoleCheck(pkix, role);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the CA " + ca + ": " + e.getMessage(), e);
        }
    }

    private static final class RoleCheck extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;
        private final String role;

        RoleCheck(X509ExtendedTrustManager pkix, String role) {
            this.pkix = pkix;
            this.role = role;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            var id = identity(chain[0]);
            if (id.isEmpty() || !id.get().role().equals(role)) {
                throw new CertificateException("the peer's certificate (" + chain[0].getSubjectX500Principal().getName() + ") is not a Berth "
                        + role + "'s" + id.map(i -> "; it is a " + i.role() + "'s").orElse(""));
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkClientTrusted(chain, authType, socket);
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkClientTrusted(chain, authType, engine);
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            check(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
