package io.magpie.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <data-dir>/cluster/control.json}: how {@code magpie cluster add|stop|status} reach the running
 * {@code magpie cluster} (its loopback admin port and a random bearer token, plus its pid). Created
 * readable and writable by the owner only, since the token lets whoever reads it start and stop
 * processes; deleted when the cluster stops.
 *
 * @param port  the admin endpoint's port on 127.0.0.1
 * @param token the bearer token
 * @param pid   the {@code magpie cluster} process
 */
public record ControlFile(int port, String token, long pid) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes it (replacing a stale one) with mode 0600. */
    public void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("port", port);
            body.put("token", token);
            body.put("pid", pid);
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster control file " + file, e);
        }
    }

    /**
     * Reads it.
     *
     * @throws ClusterException when there is none (no cluster runs on that data dir) or it is unreadable
     */
    public static ControlFile read(Path file) {
        try {
            JsonNode node = JSON.readTree(Files.readString(file));
            if (node == null || !node.has("port") || !node.has("token") || !node.has("pid")) {
                throw new ClusterException(file + " lacks port, token or pid; is it from another program?"
                        + " Stop the cluster (Ctrl-C) and start it again");
            }
            return new ControlFile(node.get("port").asInt(), node.get("token").asText(), node.get("pid").asLong());
        } catch (NoSuchFileException e) {
            throw new ClusterException("no magpie cluster runs with this data dir (" + file + " does not exist);"
                    + " start one with `magpie cluster`, or name its --data-dir", e);
        } catch (IOException e) {
            throw new ClusterException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
