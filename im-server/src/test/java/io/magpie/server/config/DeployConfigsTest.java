package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sample files operators start from ({@code deploy/config/*.yaml}) must start their role: every
 * key known, every value valid. A renamed or new setting that the samples missed fails here rather
 * than on an operator's first start.
 */
class DeployConfigsTest {

    private static final Path DEPLOY = Path.of("..", "deploy", "config");

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY)) {
            List<Path> yaml = files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
            assertFalse(yaml.isEmpty(), "no sample configs in " + DEPLOY.toAbsolutePath());
            return yaml.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everySampleMapsToValidRoleConfigsWithNoUnknownKey(Path file) {
        String role = file.getFileName().toString().replace(".yaml", "");
        // standalone keeps generated secrets in its data dir instead of the file; the samples leave
        // cluster.secret to the environment, as operators are told to
        Map<String, String> env = role.equals("standalone")
                ? Map.of("MAGPIE_AUTH_TOKEN_SECRET", "a-test-secret-of-at-least-32-bytes!!",
                        "MAGPIE_CLUSTER_SECRET", "a-test-cluster-secret-of-32-bytes-or-more")
                : Map.of("MAGPIE_CLUSTER_SECRET", "a-test-cluster-secret-of-32-bytes-or-more",
                        // the samples' token secret is a placeholder every role refuses (TokenSecretSettingsTest)
                        "MAGPIE_AUTH_TOKEN_SECRET", "a-test-secret-of-at-least-32-bytes!!");
        Settings settings = new Settings(ConfigTree.load(file, env));
        switch (role) {
            case "gate" -> {
                settings.gate();
                settings.gateAdmin();
            }
            case "lsb" -> settings.lsb();
            case "logic" -> settings.logic();
            case "router" -> settings.router();
            case "notifier" -> settings.notifier();
            default -> {
                settings.gate();
                settings.gateAdmin();
                settings.lsb();
                settings.logic();
                settings.router();
            }
        }
        settings.rejectUnknownKeys();
    }

    @Test
    void theLsbSampleSetsTheGateReportMaxAge() throws IOException {
        assertTrue(Files.readString(DEPLOY.resolve("lsb.yaml")).contains("gate-report-max-age:"),
                "the sample shows the setting");
        Settings settings = new Settings(ConfigTree.load(DEPLOY.resolve("lsb.yaml"), Map.of()));
        assertEquals(Duration.ofSeconds(5), settings.lsb().gateReportMaxAge());
        Settings overridden = new Settings(ConfigTree.load(DEPLOY.resolve("lsb.yaml"),
                Map.of("MAGPIE_LSB_GATE_REPORT_MAX_AGE", "8s")));
        assertEquals(Duration.ofSeconds(8), overridden.lsb().gateReportMaxAge());
    }
}
