package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.tls.ServerTls;
import io.magpie.protocol.tls.TlsConfig;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls.key-file} must be PKCS#8 (operations.md): Netty does not read a traditional OpenSSL key here ({@code
 * BEGIN EC PRIVATE KEY}, {@code BEGIN RSA PRIVATE KEY}, cert-manager's default PKCS#1), so the start fails with
 * the command that converts it.
 */
class TraditionalKeyTlsTest {

    @Test
    void aTraditionalPemKeyIsRefusedWithTheCommandThatConvertsIt(@TempDir Path dir) throws Exception {
        StandaloneCertificate pkcs8 = StandaloneCertificate.ensure(dir, Clock.systemUTC());
        PrivateKey key;
        try (Reader in = Files.newBufferedReader(pkcs8.keyFile()); PEMParser parser = new PEMParser(in)) {
            key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
        StringWriter traditional = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(traditional)) {
            writer.writeObject(key);
        }
        assertTrue(traditional.toString().startsWith("-----BEGIN EC PRIVATE KEY-----"), traditional.toString());
        Path keyFile = dir.resolve("traditional-key.pem");
        Files.writeString(keyFile, traditional.toString(), StandardCharsets.US_ASCII);

        ServerTls.load(new TlsConfig(true, pkcs8.certFile(), pkcs8.keyFile()));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ServerTls.load(new TlsConfig(true, pkcs8.certFile(), keyFile)));
        assertTrue(refused.getMessage().contains("tls.key-file=" + keyFile)
                && refused.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), refused.getMessage());
    }
}
