package io.magpie.engines.internal;

import java.sql.SQLException;

/** A MySQL/MariaDB someone else runs; checked with {@code SELECT VERSION()} at start. */
public final class ExternalMysqlServer implements MysqlServer {

    private final MysqlEndpoint endpoint;
    private final String version;

    private ExternalMysqlServer(MysqlEndpoint endpoint, String version) {
        this.endpoint = endpoint;
        this.version = version;
    }

    public static ExternalMysqlServer connect(MysqlEndpoint endpoint) {
        try {
            return new ExternalMysqlServer(endpoint, endpoint.version());
        } catch (SQLException e) {
            throw new IllegalStateException("external MySQL " + endpoint.host() + ":"
                    + endpoint.port() + " (MAGPIE_MYSQL_URL) is not usable as user '"
                    + endpoint.user() + "': " + e.getMessage(), e);
        }
    }

    @Override
    public MysqlEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public String describe() {
        return "mysql " + version + " external " + endpoint.host() + ":" + endpoint.port();
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
