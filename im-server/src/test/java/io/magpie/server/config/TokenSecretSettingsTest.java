package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.auth.TokenKeys;
import io.magpie.protocol.proto.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Token keys from the settings: rotation with key ids, and no role runs with a secret the repository shows. */
class TokenSecretSettingsTest {

    private static final Path REPO = Path.of("..");
    private static final String KEY_A = "q8H1xZ3v0sTt9yKQ7uFJ2mWc4bN6pLr5aa";
    private static final String KEY_B = "Zr7Kp2Lm9Qx4Vn8Bw1Ct6Yd3Hs5Jf0Gg";
    /** {@code token-secret: "x"} in YAML, {@code MAGPIE_AUTH_TOKEN_SECRET=x} in shell examples. */
    private static final Pattern PUBLISHED = Pattern.compile(
            "token-secret:\\s*\"?([^\"\\n#]+?)\"?\\s*(?:#.*)?$|MAGPIE_AUTH_TOKEN_SECRET=\"?([^\"\\s$]+)\"?",
            Pattern.MULTILINE);

    private static Settings settings(String yaml, Map<String, String> env) {
        return new Settings(ConfigTree.of(yaml, env));
    }

    /** Every token secret written in deploy/config, docker-compose.yml, README.md and docs/*.md. */
    static Set<String> publishedSecrets() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> deploy = Files.list(REPO.resolve("deploy/config"))) {
            deploy.filter(f -> f.toString().endsWith(".yaml")).forEach(files::add);
        }
        try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
            docs.filter(f -> f.toString().endsWith(".md")).forEach(files::add);
        }
        files.add(REPO.resolve("README.md"));
        files.add(REPO.resolve("docker-compose.yml"));
        Set<String> secrets = new LinkedHashSet<>();
        for (Path file : files) {
            if (!Files.exists(file)) {
                continue;
            }
            Matcher m = PUBLISHED.matcher(Files.readString(file));
            while (m.find()) {
                String value = (m.group(1) != null ? m.group(1) : m.group(2)).strip();
                if (!value.isEmpty() && !value.startsWith("<")) {
                    secrets.add(value);
                }
            }
        }
        return secrets;
    }

    @Test
    void everyTokenSecretTheRepositoryShowsIsRefused() throws Exception {
        Set<String> published = publishedSecrets();
        assertTrue(published.size() >= 1, "the samples show their placeholder: " + published);
        published.add("change-me-to-32-or-more-random-bytes!!"); // the samples' value before this release
        published.add("magpie-example-secret-0123456789");        // docs/PROTOCOL.md's worked example

        for (String secret : published) {
            for (String key : List.of("auth:\n  token-secret: \"" + secret.replace("\"", "\\\"") + "\"\n",
                    "auth:\n  token-secrets: [\"k1:" + secret.replace("\"", "\\\"") + "\"]\n")) {
                ConfigException e = assertThrows(ConfigException.class, () -> settings(key, Map.of()).tokenKeys(),
                        secret);
                assertTrue(e.getMessage().contains("refused") || e.getMessage().contains("at least 32 bytes"),
                        e.getMessage());
            }
        }
    }

    @Test
    void theRefusalSaysWhyAndHowToGenerateAKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings(
                "auth:\n  token-secret: \"change-me-to-32-or-more-random-bytes!!\"\n", Map.of()).tokenSecret());

        assertTrue(e.getMessage().contains("sample secret") && e.getMessage().contains("openssl rand")
                && e.getMessage().contains("MAGPIE_AUTH_TOKEN_SECRET"), e.getMessage());
    }

    @Test
    void theEnvironmentReplacesTheSamplesPlaceholder() throws Exception {
        Path logic = REPO.resolve("deploy/config/logic.yaml");
        assertThrows(ConfigException.class, () -> new Settings(ConfigTree.load(logic, Map.of())).logic());

        Settings fromEnv = new Settings(ConfigTree.load(logic, Map.of("MAGPIE_AUTH_TOKEN_SECRET", KEY_A)));

        assertArrayEquals(KEY_A.getBytes(StandardCharsets.UTF_8), fromEnv.tokenSecret());
        assertEquals(TokenKeys.DEFAULT_KEY_ID, fromEnv.logic().sessions().tokenKeys().signingKeyId());
    }

    @Test
    void aSecondKeyIsAcceptedWhileTheFirstStillSignsThenSignsWhenChosen() throws Exception {
        String adding = "auth:\n  token-secret: " + KEY_A + "\n  token-secrets: [\"2026-06:" + KEY_B + "\"]\n";
        TokenKeys during = settings(adding, Map.of()).tokenKeys();
        assertEquals(TokenKeys.DEFAULT_KEY_ID, during.signingKeyId(), "adding a key does not switch signing");
        assertEquals(Set.of("default", "2026-06"), during.keyIds());

        TokenKeys switched = settings(adding + "  token-signing-key: 2026-06\n", Map.of()).tokenKeys();
        TokenKeys after = settings("auth:\n  token-secrets: [\"2026-06:" + KEY_B + "\"]\n", Map.of()).tokenKeys();

        assertEquals("2026-06", switched.signingKeyId());
        TokenClaims claims = new TokenClaims(1, "d", Platform.WEB, Long.MAX_VALUE, 5);
        String old = new TokenCodec(during, Clock.systemUTC()).issue(claims);
        String fresh = new TokenCodec(switched, Clock.systemUTC()).issue(claims);
        assertEquals(claims, new TokenCodec(switched, Clock.systemUTC()).verify(old));
        assertEquals(claims, new TokenCodec(after, Clock.systemUTC()).verify(fresh));
    }

    @Test
    void keysCanComeFromTheEnvironmentCommaSeparated() {
        TokenKeys keys = settings("", Map.of("MAGPIE_AUTH_TOKEN_SECRETS", "a:" + KEY_A + ",b:" + KEY_B,
                "MAGPIE_AUTH_TOKEN_SIGNING_KEY", "b")).tokenKeys();

        assertEquals("b", keys.signingKeyId());
        assertEquals(Set.of("a", "b"), keys.keyIds());
    }

    @Test
    void contradictoryKeySettingsFailNamingTheKeys() {
        String twice = "auth:\n  token-secret: " + KEY_A + "\n  token-secrets: [\"default:" + KEY_B + "\"]\n";
        assertTrue(assertThrows(ConfigException.class, () -> settings(twice, Map.of()).tokenKeys()).getMessage()
                .contains("set twice"));
        String unknown = "auth:\n  token-secret: " + KEY_A + "\n  token-signing-key: k9\n";
        assertTrue(assertThrows(ConfigException.class, () -> settings(unknown, Map.of()).tokenKeys()).getMessage()
                .contains("auth.token-signing-key 'k9'"));
        String noId = "auth:\n  token-secrets: [\"" + KEY_A + "\"]\n";
        assertTrue(assertThrows(ConfigException.class, () -> settings(noId, Map.of()).tokenKeys()).getMessage()
                .contains("'id:secret'"));
        assertTrue(assertThrows(ConfigException.class, () -> settings("", Map.of()).tokenKeys()).getMessage()
                .contains("auth.token-secret must be set"));
    }

    @Test
    void everyAuthKeyIsKnownToTheUnknownKeyCheck() {
        Settings s = settings("auth:\n  token-secret: " + KEY_A + "\n  token-secrets: [\"k2:" + KEY_B + "\"]\n"
                + "  token-signing-key: k2\n  token-ttl: 15m\n  refresh-ttl: 30d\n  login-attempts-per-account: 10\n"
                + "  login-attempts-per-address: 100\n  refreshes-per-address: 1000\n  login-attempt-window: 5m\n"
                + "logic:\n  admin-token: " + KEY_B + "-admin\n", Map.of());
        s.rejectUnknownKeys();
        assertFalse(s.logic().sessions().toString().contains(KEY_B), "the admin token is never printed");
    }
}
