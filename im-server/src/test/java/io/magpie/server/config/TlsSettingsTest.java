package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.tls.TlsConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsSettingsTest {

    @Test
    void tlsIsOffUnlessEnabled() {
        assertFalse(new Settings(ConfigTree.of("gate:\n  tcp-port: 7000\n", Map.of())).tls().enabled());
    }

    @Test
    void oneTlsSectionReachesTheGateTheLsbAndTheAccountApi() {
        Settings settings = new Settings(ConfigTree.of("""
                tls:
                  enabled: true
                  cert-file: /etc/magpie/cert.pem
                  key-file: /etc/magpie/key.pem
                auth:
                  token-secret: "a-test-secret-that-is-at-least-32-bytes-long"
                """, Map.of()));
        TlsConfig expected = TlsConfig.of(Path.of("/etc/magpie/cert.pem"), Path.of("/etc/magpie/key.pem"));
        assertEquals(expected, settings.tls());
        assertEquals(expected, settings.gate().tls());
        assertEquals(expected, settings.lsb().tls());
        assertEquals(expected, settings.logic().tls());
    }

    @Test
    void enabledWithoutACertificateNamesTheMissingKey() {
        Settings settings = new Settings(ConfigTree.of("tls:\n  enabled: true\n  key-file: /k.pem\n", Map.of()));
        ConfigException e = assertThrows(ConfigException.class, settings::tls);
        assertTrue(e.getMessage().contains("tls.cert-file"), e.getMessage());
    }

    @Test
    void theEnvironmentCanTurnTlsOn() {
        Settings settings = new Settings(ConfigTree.of("tls:\n  cert-file: c.pem\n  key-file: k.pem\n",
                Map.of("MAGPIE_TLS_ENABLED", "true")));
        assertTrue(settings.tls().enabled());
        assertTrue(settings.tls().certFile().isAbsolute(), "relative paths are resolved at start");
    }

    @Test
    void aTypoInTheTlsSectionIsAnUnknownKey() {
        Settings settings = new Settings(ConfigTree.of("tls:\n  enabled: false\n  cert-flie: c.pem\n", Map.of()));
        ConfigException e = assertThrows(ConfigException.class, settings::rejectUnknownKeys);
        assertTrue(e.getMessage().contains("tls.cert-flie"), e.getMessage());
    }
}
