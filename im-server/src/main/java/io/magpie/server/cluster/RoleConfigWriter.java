package io.magpie.server.cluster;

import io.magpie.server.config.BindAddress;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.magpie.server.MagpieNode.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the YAML config of one role process: the servers and secrets every process of the cluster shares
 * (only the keys its role reads: a router never sees the MySQL password, a gate never the database) plus
 * its own listeners. The file holds the servers, the secrets and the process's own keys; {@link RoleLauncher}
 * removes the {@code MAGPIE_*} variables of those keys from its environment and passes the other ones on
 * (tuning such as {@code MAGPIE_LOGIC_PBKDF2_ITERATIONS}). Files are readable by the owner only (they hold
 * secrets).
 */
public final class RoleConfigWriter {

    /** The servers and secrets every process may get (each role takes those it reads). */
    public static final List<String> SHARED_KEYS = List.of("mysql.url", "mysql.user", "mysql.password",
            "redis.uri", "redis.key-prefix", "kafka.bootstrap", "kafka.topic-prefix", "kafka.partitions",
            "auth.token-secret", "cluster.secret", "web.lsb-url");
    /** The keys each process gets a value of its own for (ids, listeners): never one value for all. */
    public static final List<String> PER_PROCESS_KEYS = List.of("health.bind", "health.port", "gate.id", "gate.bind",
            "gate.host", "gate.tcp-port", "gate.ws-port", "gate.internal-port", "logic.http-host", "logic.http-port",
            "lsb.host", "lsb.port");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String LOOPBACK = "127.0.0.1";

    private final ClusterLayout layout;
    private final Map<String, String> shared;
    private final String bind;

    /**
     * @param shared dotted keys every process may get ({@code mysql.url}, {@code redis.uri},
     *               {@code auth.token-secret}, ...); each role takes those it reads
     * @param bind   address of the public listeners
     */
    public RoleConfigWriter(ClusterLayout layout, Map<String, String> shared, String bind) {
        this.layout = layout;
        this.shared = Map.copyOf(shared);
        this.bind = bind;
    }

    /** Writes {@code <data-dir>/cluster/<name>.yaml} (replacing an older one) and returns its path. */
    public Path write(ProcessPlan plan) {
        Map<String, String> values = new LinkedHashMap<>();
        shared.forEach((key, value) -> {
            if (reads(plan.role(), key)) {
                values.put(key, value);
            }
        });
        values.put("health.bind", LOOPBACK); // the supervisor probes it; nobody else needs it
        values.put("health.port", Integer.toString(plan.healthPort()));
        switch (plan.role()) {
            case GATE -> {
                values.put("gate.id", plan.name());
                values.put("gate.bind", bind);
                if (!BindAddress.isWildcard(bind)) {
                    values.put("gate.host", bind); // what the registry advertises to clients
                }
                values.put("gate.tcp-port", Integer.toString(plan.tcpPort()));
                values.put("gate.ws-port", Integer.toString(plan.wsPort()));
                values.put("gate.internal-port", Integer.toString(plan.internalPort()));
            }
            case LOGIC -> {
                values.put("logic.http-host", bind);
                values.put("logic.http-port", Integer.toString(plan.httpPort()));
            }
            case LSB -> {
                values.put("lsb.host", bind);
                values.put("lsb.port", Integer.toString(plan.httpPort()));
            }
            case ROUTER, NOTIFIER -> {
                // consumers only: no public listener
            }
            default -> throw new IllegalStateException("unknown role " + plan.role());
        }
        Path file = layout.configFile(plan.name());
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "# " + plan.name() + ", written by magpie cluster (rewritten on every start)\n"
                    + YAML.writeValueAsString(tree(values)));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the config of " + plan.name() + " to " + file, e);
        }
    }

    /** Whether {@code role} reads {@code key} of the shared settings (see the roles' help footers). */
    static boolean reads(Role role, String key) {
        String section = key.substring(0, key.indexOf('.'));
        return switch (section) {
            case "mysql" -> role == Role.LOGIC || role == Role.NOTIFIER;
            case "kafka" -> role != Role.LSB;
            case "auth" -> role == Role.LOGIC || role == Role.GATE;
            case "cluster" -> role == Role.GATE || role == Role.ROUTER;
            default -> true;
        };
    }

    private static ObjectNode tree(Map<String, String> values) {
        ObjectNode root = YAML.createObjectNode();
        values.forEach((key, value) -> {
            ObjectNode node = root;
            List<String> parts = List.of(key.split("\\."));
            for (String part : parts.subList(0, parts.size() - 1)) {
                node = node.has(part) ? (ObjectNode) node.get(part) : node.putObject(part);
            }
            node.put(parts.get(parts.size() - 1), value);
        });
        return root;
    }
}
