package dev.berth.cli.tls;

import dev.berth.model.config.HostPort;
import dev.berth.model.config.PemTls;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster's private CA and the certificates it signs, with Bouncy Castle's X.509 builders and
 * the JDK's own EC keys (P-256) and signatures. A certificate says its role in the subject's OU
 * and its name (an executor's node id) in the CN; see {@code Peers}. Keys are written PKCS#8,
 * readable only by their owner.
 *
 * <p>Each role's certificates are signed by an intermediate CA of that role ({@code <role>-ca.pem},
 * made at the first certificate of the role), and a certificate file holds the leaf and its
 * intermediate. Why: Vert.x's clustered event bus copies its TLS options through JSON, which keeps
 * PEM files but drops a custom trust manager, so the bus cannot check a role in the leaf; trusting
 * only the scheduler intermediate there refuses every other role by the chain alone.
 */
public final class CertificateAuthority {
    public static final List<String> ROLES = List.of("scheduler", "executor", "cli");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate cert;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate cert, PrivateKey key) {
        this.cert = cert;
        this.key = key;
    }

    /** A new CA in {@code dir} ({@code ca.pem}, {@code ca-key.pem}); refuses to overwrite one. */
    public static CertificateAuthority create(Path dir, Duration validity) throws IOException {
        Path certFile = dir.resolve("ca.pem"), keyFile = dir.resolve("ca-key.pem");
        if (Files.exists(certFile) || Files.exists(keyFile)) throw new IOException(dir + " has a CA already (ca.pem, ca-key.pem): remove them first to make a new one");
        try {
            KeyPair pair = keyPair();
            var name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "berth").addRDN(BCStyle.CN, "Berth CA " + Long.toHexString(RANDOM.nextLong())).build();
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(300)), Date.from(now.plus(validity)), name, pair.getPublic());
            var ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            var ca = new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
            Files.createDirectories(dir);
            writeKey(keyFile, pair.getPrivate());
            Files.writeString(certFile, pem(ca.cert), StandardCharsets.US_ASCII);
            return ca;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a CA: " + e.getMessage(), e);
        }
    }

    /** The CA in {@code dir}. */
    public static CertificateAuthority load(Path dir) throws IOException {
        Path certFile = dir.resolve("ca.pem"), keyFile = dir.resolve("ca-key.pem");
        if (!Files.exists(certFile) || !Files.exists(keyFile)) throw new IOException(dir + " has no CA (ca.pem and ca-key.pem): make one with berth tls ca create --dir " + dir);
        try {
            return new CertificateAuthority(PemTls.certificates(certFile).getFirst(), PemTls.privateKey(keyFile));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** What {@link #issue} wrote. */
    public record Issued(Path cert, Path key, X509Certificate certificate) {
    }

    /**
     * A certificate for {@code role} named {@code name}, valid for each of {@code hosts} (names and
     * IP addresses, checked by clients that check host names), as {@code <file>.pem} and
     * {@code <file>-key.pem} in {@code dir}.
     */
    public Issued issue(Path dir, String role, String name, List<String> hosts, String file, Duration validity) throws IOException {
        if (!ROLES.contains(role)) throw new IllegalArgumentException("role: \"" + role + "\" is not one of " + String.join(", ", ROLES));
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,62}")) throw new IllegalArgumentException("name: \"" + name + "\" is not a name (letters, digits, . _ @ -)");
        try {
            CertificateAuthority signer = intermediate(dir, role);
            KeyPair pair = keyPair();
            var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "berth").addRDN(BCStyle.OU, role).addRDN(BCStyle.CN, name).build();
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(signer.cert, serial(), Date.from(now.minusSeconds(300)), Date.from(now.plus(validity)), subject, pair.getPublic());
            var ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(signer.cert));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            var names = new ArrayList<GeneralName>();
            for (String h : hosts) names.add(HostPort.isIpv4(h) ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
            if (!names.isEmpty()) b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            X509Certificate issued = sign(b, signer.key);
            Path certFile = dir.resolve(file + ".pem"), keyFile = dir.resolve(file + "-key.pem");
            writeKey(keyFile, pair.getPrivate());
            Files.writeString(certFile, pem(issued) + pem(signer.cert), StandardCharsets.US_ASCII);
            return new Issued(certFile, keyFile, issued);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a certificate: " + e.getMessage(), e);
        }
    }

    /** The intermediate CA that signs {@code role}'s certificates: read from {@code dir}, or made there (once) by this CA. */
    private CertificateAuthority intermediate(Path dir, String role) throws IOException, GeneralSecurityException, OperatorCreationException {
        Path certFile = dir.resolve(role + "-ca.pem"), keyFile = dir.resolve(role + "-ca-key.pem");
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            return new CertificateAuthority(PemTls.certificates(certFile).getFirst(), PemTls.privateKey(keyFile));
        }
        KeyPair pair = keyPair();
        var name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "berth").addRDN(BCStyle.OU, role)
                .addRDN(BCStyle.CN, "Berth " + role + " CA " + Long.toHexString(RANDOM.nextLong())).build();
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(cert, serial(), Date.from(now.minusSeconds(300)), cert.getNotAfter(), name, pair.getPublic());
        var ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        var made = new CertificateAuthority(sign(b, key), pair.getPrivate());
        writeKey(keyFile, pair.getPrivate());
        Files.writeString(certFile, pem(made.cert), StandardCharsets.US_ASCII);
        return made;
    }

    public X509Certificate certificate() {
        return cert;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        var g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static String pem(Object o) throws IOException {
        var text = new StringWriter();
        try (var w = new JcaPEMWriter(text)) {
            w.writeObject(o);
        }
        return text.toString();
    }

    private static void writeKey(Path file, PrivateKey key) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pem(new JcaPKCS8Generator(key, null)), StandardCharsets.US_ASCII);
    }
}
