package io.magpie.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed certificate of {@code magpie standalone --tls}: an EC P-256 key and a certificate
 * for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, valid one year, kept as PEM in
 * {@code <data-dir>/tls/} and reused on later starts until it is within a day of expiring. Clients
 * trust it by using {@link #certFile()} as their trust file (the certificate is its own anchor).
 *
 * @param certFile the certificate (PEM); also the clients' trust file
 * @param keyFile  its private key (unencrypted PKCS#8 PEM, readable by the owner only where the file
 *                 system supports POSIX permissions)
 * @param created  true when this call created a new pair, false when an existing one was reused
 */
record StandaloneCertificate(Path certFile, Path keyFile, boolean created) {

    static final Duration VALIDITY = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(1);

    /** The pair in {@code dataDir/tls}, created (or renewed) when absent, unreadable or about to expire. */
    static StandaloneCertificate ensure(Path dataDir, Clock clock) {
        Path dir = dataDir.resolve("tls");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        if (Files.isRegularFile(key) && stillValid(cert, clock.instant().plus(RENEW_BEFORE))) {
            return new StandaloneCertificate(cert, key, false);
        }
        try {
            Files.createDirectories(dir);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            X509Certificate certificate = selfSigned(pair, clock.instant());
            // key first: a certificate without its key is no use, and is replaced on the next start
            writeOwnerOnly(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
            Files.writeString(cert, pem(certificate), StandardCharsets.US_ASCII);
            return new StandaloneCertificate(cert, key, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the standalone TLS certificate to " + dir
                    + "; check that the data dir is writable or pass another --data-dir", e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a self-signed TLS certificate with this JDK: " + e.getMessage(),
                    e);
        }
    }

    private static X509Certificate selfSigned(KeyPair pair, Instant now)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        X500Name subject = new X500Name("CN=localhost, O=Magpie standalone");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    private static boolean stillValid(Path cert, Instant until) {
        if (!Files.isRegularFile(cert)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return c.getNotAfter().toInstant().isAfter(until);
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            // unreadable or not a certificate: made anew, which is what a user of standalone wants
            return false;
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
