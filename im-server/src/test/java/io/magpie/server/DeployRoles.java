package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the deploy tests ({@link ComposeFileTest}, {@link KubernetesManifestsTest}) ask of a role's
 * configuration: load the file and the environment the container gets the way {@code magpie <role>} does
 * ({@link MagpieNode#readSettingsOf} then {@link Settings#rejectUnknownKeys}), and, stricter than the server,
 * refuse a {@code MAGPIE_*} variable that names no setting of that role (the server ignores those silently).
 */
final class DeployRoles {

    /** The repository root, seen from im-server (where Maven runs this module's tests). */
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** Variables the image or the logging config reads rather than {@link Settings}. */
    private static final Set<String> NOT_SETTINGS = Set.of("MAGPIE_LOG_LEVEL", "MAGPIE_LOG_FORMAT");

    private DeployRoles() {
    }

    static MagpieNode.Role role(String name, String where) {
        try {
            return MagpieNode.Role.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return fail(where + ": '" + name + "' is not a role (gate, logic, router, lsb, notifier)");
        }
    }

    /** The settings {@code role} starts with from {@code file} and {@code env}; fails the test as the start would fail. */
    static Settings settingsOf(MagpieNode.Role role, Path file, Map<String, String> env, String where) {
        assertTrue(Files.isRegularFile(file), where + ": config file " + file + " does not exist");
        Settings settings = new Settings(ConfigTree.load(file, env));
        try {
            MagpieNode.readSettingsOf(settings, EnumSet.of(role));
        } catch (RuntimeException e) {
            fail(where + ": the " + role + " would not start: " + e.getMessage(), e);
        }
        Set<String> roleReads = settings.tree().keysRead();
        Set<String> unknownEnv = new TreeSet<>();
        for (String name : env.keySet()) {
            if (name.startsWith("MAGPIE_") && !NOT_SETTINGS.contains(name)
                    && roleReads.stream().noneMatch(key -> ConfigTree.envName(key).equals(name))) {
                unknownEnv.add(name);
            }
        }
        assertEquals(Set.of(), unknownEnv, where + ": variables that no setting of the " + role + " reads");
        try {
            settings.rejectUnknownKeys();
        } catch (RuntimeException e) {
            fail(where + ": the " + role + " would not start: " + e.getMessage(), e);
        }
        return settings;
    }
}
