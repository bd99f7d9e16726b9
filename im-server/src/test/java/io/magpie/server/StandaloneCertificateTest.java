package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.tls.ClientTls;
import io.magpie.protocol.tls.ServerTls;
import io.magpie.protocol.tls.TlsConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneCertificateTest {

    @TempDir
    Path dataDir;

    @Test
    void createsACertificateForLocalhostAndLoopbackOnceAndReusesIt() throws Exception {
        StandaloneCertificate first = StandaloneCertificate.ensure(dataDir, Clock.systemUTC());
        assertTrue(first.created());
        assertEquals(dataDir.resolve("tls/cert.pem"), first.certFile());

        X509Certificate cert = read(first.certFile());
        Set<String> sans = cert.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString())
                .collect(Collectors.toSet());
        assertTrue(sans.containsAll(List.of("localhost", "127.0.0.1")), "SANs: " + sans);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(first.keyFile()), "the key is readable by its owner only");

        StandaloneCertificate again = StandaloneCertificate.ensure(dataDir, Clock.systemUTC());
        assertFalse(again.created());
        assertEquals(cert, read(again.certFile()), "a restart keeps the certificate clients already trust");
    }

    @Test
    void aCertificateAboutToExpireIsReplaced() throws Exception {
        StandaloneCertificate old = StandaloneCertificate.ensure(dataDir, Clock.systemUTC());
        Instant nearExpiry = read(old.certFile()).getNotAfter().toInstant().minusSeconds(3600);
        StandaloneCertificate renewed = StandaloneCertificate.ensure(dataDir, Clock.fixed(nearExpiry, ZoneOffset.UTC));
        assertTrue(renewed.created());
    }

    @Test
    void aClientTrustingTheCertFileCompletesATls13HandshakeWithAServerUsingThePair() throws Exception {
        StandaloneCertificate pair = StandaloneCertificate.ensure(dataDir, Clock.systemUTC());
        ServerTls server = ServerTls.load(TlsConfig.of(pair.certFile(), pair.keyFile()));
        ClientTls client = ClientTls.trusting(pair.certFile());

        try (SSLServerSocket listener = (SSLServerSocket) server.jdkContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setEnabledProtocols(ServerTls.PROTOCOLS.toArray(String[]::new));
            Thread accept = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.getOutputStream().write(42);
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                } catch (Exception ignored) {
                    // the client side asserts what matters
                }
            });
            accept.start();
            try (SSLSocket s = (SSLSocket) client.jdkContext().getSocketFactory()
                    .createSocket("127.0.0.1", listener.getLocalPort())) {
                var params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // the host name must match a SAN
                s.setSSLParameters(params);
                assertEquals(42, s.getInputStream().read());
                assertEquals("TLSv1.3", s.getSession().getProtocol());
                s.getOutputStream().write(1);
            }
            accept.join(5000);
        }
    }

    @Test
    void aMissingKeyFileIsNamedWhenTheServerLoadsIt() {
        StandaloneCertificate pair = StandaloneCertificate.ensure(dataDir, Clock.systemUTC());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerTls.load(TlsConfig.of(pair.certFile(), dataDir.resolve("nope.pem"))));
        assertTrue(e.getMessage().contains("tls.key-file") && e.getMessage().contains("nope.pem"), e.getMessage());
    }

    @Test
    void aTrustFileWithoutACertificateIsRefusedNamingIt() throws Exception {
        Path empty = Files.writeString(dataDir.resolve("empty.pem"), "not a certificate\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientTls.trusting(empty));
        assertTrue(e.getMessage().contains("empty.pem"), e.getMessage());
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
