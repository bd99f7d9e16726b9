package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.link.ClusterSecret;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code cluster.secret}: required by gates and routers, long, and never the token secret. */
class ClusterSecretSettingsTest {

    private static final String TOKEN = "cluster-secret-settings-test-token-0123456";

    private static Settings settings(String cluster) {
        String yaml = "auth:\n  token-secret: \"" + TOKEN + "\"\n"
                + (cluster == null ? "" : "cluster:\n  secret: \"" + cluster + "\"\n");
        return new Settings(ConfigTree.of(yaml, Map.of()));
    }

    @Test
    void gatesAndRoutersGetTheConfiguredSecret() {
        Settings settings = settings("cluster-secret-settings-test-cluster-0123");
        ClusterSecret expected = ClusterSecret.of("cluster-secret-settings-test-cluster-0123");
        assertEquals(expected, settings.clusterSecret());
        assertEquals(expected, settings.gate().clusterSecret());
        assertEquals(expected, settings.router().clusterSecret());
    }

    @Test
    void aRoleRefusesToStartWhenTheClusterSecretIsTheTokenSecret() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings(TOKEN).router());
        assertTrue(e.getMessage().contains("cluster.secret equals auth.token-secret"), e.getMessage());
        assertThrows(ConfigException.class, () -> settings(TOKEN).gate());
    }

    @Test
    void aMissingShortOrSampleSecretIsRefusedNamingTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> settings(null).clusterSecret()).getMessage()
                .contains("cluster.secret is not set"));
        assertTrue(assertThrows(ConfigException.class, () -> settings("too-short").clusterSecret()).getMessage()
                .contains("at least 32 bytes"));
        assertTrue(assertThrows(ConfigException.class,
                () -> settings("change-me-change-me-change-me-change-me").clusterSecret()).getMessage()
                .contains("placeholder"));
    }

    @Test
    void theEnvironmentCanCarryTheSecret() {
        Settings settings = new Settings(ConfigTree.of("", Map.of("MAGPIE_CLUSTER_SECRET",
                "cluster-secret-settings-test-from-env-0123")));
        assertEquals(ClusterSecret.of("cluster-secret-settings-test-from-env-0123"), settings.clusterSecret());
    }
}
