package io.magpie.engines.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Where a MySQL-compatible server listens and how to log in, plus the few administrative
 * statements the test kit needs (over JDBC: the bundled {@code mariadb} client cannot talk to a
 * server started with {@code --skip-ssl}).
 */
public record MysqlEndpoint(String host, int port, String user, String password,
        Map<String, String> parameters) {

    /** Connector parameters every URL gets unless {@link #parameters()} overrides them. */
    public static final Map<String, String> DEFAULT_PARAMETERS = defaults();

    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

    public MysqlEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        parameters = Map.copyOf(parameters);
    }

    /** {@code jdbc:mysql://host:port/<database>?...}; an empty database means "the server". */
    public String url(String database) {
        Map<String, String> merged = new LinkedHashMap<>(DEFAULT_PARAMETERS);
        merged.putAll(parameters);
        StringJoiner query = new StringJoiner("&");
        merged.forEach((k, v) -> query.add(k + "=" + v));
        return "jdbc:mysql://" + host + ":" + port + "/" + database + "?" + query;
    }

    /** Fails with {@link IllegalArgumentException} unless {@code name} is a plain identifier. */
    public static String checkDatabaseName(String name) {
        if (name == null || !DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name '" + name + "' must match "
                    + DATABASE_NAME.pattern());
        }
        return name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(""), user, password);
    }

    public String version() throws SQLException {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    public void createDatabase(String database) throws SQLException {
        checkDatabaseName(database);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS `" + database
                    + "` CHARACTER SET utf8mb4");
        }
    }

    /** Drops every database whose name starts with {@code prefix}; returns the names dropped. */
    public List<String> dropDatabasesStartingWith(String prefix) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(
                    "SELECT schema_name FROM information_schema.schemata")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (name.startsWith(prefix) && DATABASE_NAME.matcher(name).matches()) {
                        names.add(name);
                    }
                }
            }
            for (String name : names) {
                s.execute("DROP DATABASE IF EXISTS `" + name + "`");
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return "MysqlEndpoint[" + host + ":" + port + ", user=" + user + "]";
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("sslMode", "DISABLED");
        m.put("rewriteBatchedStatements", "true");
        m.put("allowPublicKeyRetrieval", "true");
        return Collections.unmodifiableMap(m);
    }
}
