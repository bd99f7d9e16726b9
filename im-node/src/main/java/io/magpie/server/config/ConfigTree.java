package io.magpie.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A configuration file (YAML) plus environment overrides, read through typed getters with defaults.
 * Keys are dotted paths ({@code gate.tcp-port}); an environment variable {@code MAGPIE_GATE_TCP_PORT}
 * overrides {@code gate.tcp-port}. Every getter records its key, so {@link #rejectUnknownKeys()} can
 * fail the start on a key nothing reads (a typo would otherwise be ignored silently). Not
 * thread-safe; used once at start.
 */
public final class ConfigTree {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final ObjectNode root;
    private final Map<String, String> env;
    private final String source;
    private final Set<String> read = new LinkedHashSet<>();

    private ConfigTree(ObjectNode root, Map<String, String> env, String source) {
        this.root = root;
        this.env = env;
        this.source = source;
    }

    /** Loads {@code file}, or starts from an empty tree when {@code file} is null. */
    public static ConfigTree load(Path file, Map<String, String> env) {
        if (file == null) {
            return new ConfigTree(YAML.createObjectNode(), env, "defaults");
        }
        try {
            JsonNode node = YAML.readTree(Files.readString(file));
            if (node == null || node.isMissingNode() || node.isNull()) {
                return new ConfigTree(YAML.createObjectNode(), env, file.toString());
            }
            if (!(node instanceof ObjectNode obj)) {
                throw new ConfigException(file + ": the top level must be a mapping of sections (mysql:, redis:, gate:, ...)");
            }
            return new ConfigTree(obj, env, file.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    public static ConfigTree of(String yaml, Map<String, String> env) {
        try {
            JsonNode node = YAML.readTree(yaml);
            return new ConfigTree(node instanceof ObjectNode o ? o : YAML.createObjectNode(), env, "inline");
        } catch (IOException e) {
            throw new ConfigException("invalid YAML: " + e.getMessage(), e);
        }
    }

    /**
     * Sets {@code key} unless the file or the environment already set it. Used by standalone mode to
     * fill in the addresses of the servers it started itself.
     */
    public void setDefault(String key, String value) {
        if (env.containsKey(envName(key))) {
            return;
        }
        ObjectNode n = root;
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = n.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = n.putObject(parts[i]);
            }
            n = (ObjectNode) child;
        }
        if (!n.has(parts[parts.length - 1]) || n.get(parts[parts.length - 1]).isNull()) {
            n.put(parts[parts.length - 1], value);
        }
    }

    public String source() {
        return source;
    }

    public String string(String key, String defaultValue) {
        JsonNode n = node(key);
        if (n.isMissingNode() || n.isNull()) {
            return defaultValue;
        }
        if (!n.isValueNode()) {
            throw invalid(key, n, "a single value");
        }
        return n.asText();
    }

    public boolean has(String key) {
        JsonNode n = node(key);
        return !n.isMissingNode() && !n.isNull();
    }

    public int integer(String key, int defaultValue) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " = '" + s + "' in " + source + " is not a whole number");
        }
    }

    /**
     * A size in bytes: a whole number, or one with a unit {@code KiB}, {@code MiB}, {@code GiB} (powers of 1024;
     * {@code KB}, {@code MB}, {@code GB} and {@code k}, {@code m}, {@code g} mean the same here).
     */
    public long bytes(String key, long defaultValue) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,15})\\s*([kmg]i?b?)?")
                .matcher(s.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(key + " = '" + s + "' in " + source + " is not a size; write e.g. 10485760,"
                    + " 512KiB, 10MiB or 1GiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).substring(0, 1);
        long scale = switch (unit) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1;
        };
        try {
            return Math.multiplyExact(n, scale);
        } catch (ArithmeticException e) {
            throw new ConfigException(key + " = '" + s + "' in " + source + " is too large a size");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        return switch (s.trim().toLowerCase()) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key + " = '" + s + "' in " + source + " is not true or false");
        };
    }

    /** A duration such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or ISO-8601. */
    public Duration duration(String key, Duration defaultValue) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        try {
            return parseDuration(s.trim());
        } catch (RuntimeException e) {
            throw new ConfigException(key + " = '" + s + "' in " + source
                    + " is not a duration; write e.g. 500ms, 5s, 2m, 1h, 7d");
        }
    }

    /** A list of strings, written as a YAML sequence or as a comma-separated string. */
    public List<String> list(String key, List<String> defaultValue) {
        JsonNode n = node(key);
        if (n.isMissingNode() || n.isNull()) {
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(e -> out.add(e.asText()));
        } else {
            for (String part : n.asText().split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** The keys the getters have asked for so far, in order (the deploy tests match environment variables to them). */
    public Set<String> keysRead() {
        return Set.copyOf(read);
    }

    /** Fails when the file holds a key that no getter asked for. Call after building every record. */
    public void rejectUnknownKeys() {
        Set<String> unknown = new TreeSet<>();
        collectLeaves(root, "", unknown);
        unknown.removeIf(k -> read.stream().anyMatch(r -> k.equals(r) || k.startsWith(r + ".")));
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown setting(s) " + unknown + " in " + source
                    + "; check the spelling against deploy/config/*.yaml");
        }
    }

    static Duration parseDuration(String s) {
        if (s.startsWith("P") || s.startsWith("p")) {
            return Duration.parse(s);
        }
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)))) {
            i++;
        }
        long n = Long.parseLong(s.substring(0, i));
        return switch (s.substring(i).trim()) {
            case "ms" -> Duration.ofMillis(n);
            case "s", "" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unit");
        };
    }

    private JsonNode node(String key) {
        read.add(key);
        String fromEnv = env.get(envName(key));
        if (fromEnv != null) {
            return TextNode.valueOf(fromEnv);
        }
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            n = n.path(part);
        }
        return n == null ? MissingNode.getInstance() : n;
    }

    /** {@code gate.tcp-port} -> {@code MAGPIE_GATE_TCP_PORT}. */
    public static String envName(String key) {
        return "MAGPIE_" + key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    private ConfigException invalid(String key, JsonNode n, String expected) {
        return new ConfigException(key + " in " + source + " must be " + expected + ", got " + n.getNodeType());
    }

    private static void collectLeaves(JsonNode n, String prefix, Set<String> out) {
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                var e = it.next();
                collectLeaves(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
            }
        } else {
            out.add(prefix);
        }
    }
}
