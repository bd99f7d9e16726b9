package io.magpie.server.cluster;

import java.nio.file.Path;

/**
 * Where {@code magpie cluster} keeps its files: under {@code <data-dir>/cluster/} one YAML config per
 * process ({@code gate-1.yaml}), one log per process ({@code logs/gate-1.log}) and {@code control.json}
 * (the admin endpoint's port and token, readable by the owner only). The embedded servers' data and the
 * secrets sit in {@code <data-dir>} itself, as with {@code magpie standalone}.
 *
 * @param dataDir the cluster's data dir (absolute)
 */
public record ClusterLayout(Path dataDir) {

    public ClusterLayout {
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    public Path clusterDir() {
        return dataDir.resolve("cluster");
    }

    public Path logDir() {
        return clusterDir().resolve("logs");
    }

    public Path configFile(String process) {
        return clusterDir().resolve(process + ".yaml");
    }

    public Path logFile(String process) {
        return logDir().resolve(process + ".log");
    }

    public Path controlFile() {
        return clusterDir().resolve("control.json");
    }
}
