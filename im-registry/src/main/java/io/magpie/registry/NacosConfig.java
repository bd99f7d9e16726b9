package io.magpie.registry;

import java.util.regex.Pattern;

/**
 * How to reach the Nacos naming service that {@link NacosGateRegistry} registers the gates in. Validated once, at
 * construction; every message names the setting ({@code registry.nacos.*}).
 *
 * @param serverAddr Nacos servers, {@code host:port[,host:port...]} (the client's {@code serverAddr}); required
 * @param namespace  the namespace id, {@value #DEFAULT_NAMESPACE} (empty) for Nacos's {@code public} namespace
 * @param group      the group of the gates' service (default {@value #DEFAULT_GROUP})
 * @param service    the service every gate registers an instance in (default {@value #DEFAULT_SERVICE})
 * @param username   Nacos user when the server has authentication on; null or empty for none
 * @param password   that user's password; set exactly when {@code username} is. Never printed by {@link #toString()}
 */
public record NacosConfig(String serverAddr, String namespace, String group, String service, String username,
                          String password) {

    public static final String DEFAULT_NAMESPACE = "";
    public static final String DEFAULT_GROUP = "DEFAULT_GROUP";
    public static final String DEFAULT_SERVICE = "magpie-gate";

    /** One server: a host name or IPv4 address, optionally a port; or a URL Nacos accepts (http[s]://host:port). */
    private static final Pattern SERVER = Pattern.compile("(https?://)?[A-Za-z0-9._-]+(:[0-9]{1,5})?");
    /** Nacos refuses '@@' and blanks in names; we keep names to characters every Nacos version and console shows. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{0,128}");

    public NacosConfig {
        if (serverAddr == null || serverAddr.isBlank()) {
            throw new IllegalArgumentException("registry.nacos.server-addr is not set; registry.type nacos needs the"
                    + " Nacos servers as host:port[,host:port] (e.g. 10.0.0.9:8848), or use registry.type redis");
        }
        serverAddr = serverAddr.strip();
        for (String server : serverAddr.split(",", -1)) {
            if (!SERVER.matcher(server.strip()).matches()) {
                throw new IllegalArgumentException("registry.nacos.server-addr must be host:port[,host:port], got '"
                        + serverAddr + "' (entry '" + server + "')");
            }
        }
        namespace = namespace == null ? DEFAULT_NAMESPACE : namespace.strip();
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("registry.nacos.namespace must be a Nacos namespace id of at most 128"
                    + " characters of [A-Za-z0-9._-] (empty = public), got '" + namespace + "'");
        }
        group = name("registry.nacos.group", group, DEFAULT_GROUP);
        service = name("registry.nacos.service", service, DEFAULT_SERVICE);
        username = username == null || username.isBlank() ? null : username.strip();
        password = password == null || password.isEmpty() ? null : password;
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("registry.nacos.username and registry.nacos.password must be set"
                    + " together (or neither, for a Nacos without authentication); got only "
                    + (username == null ? "the password" : "the username"));
        }
    }

    /** The servers, with the default namespace, group and service and no authentication. */
    public static NacosConfig of(String serverAddr) {
        return new NacosConfig(serverAddr, DEFAULT_NAMESPACE, DEFAULT_GROUP, DEFAULT_SERVICE, null, null);
    }

    /** Whether the client logs in (username and password set). */
    public boolean authenticated() {
        return username != null;
    }

    @Override
    public String toString() {
        // the password never reaches a log line
        return "NacosConfig[serverAddr=" + serverAddr + ", namespace=" + namespace + ", group=" + group
                + ", service=" + service + ", username=" + username + ", password=" + (password == null ? "none" : "***")
                + "]";
    }

    private static String name(String key, String value, String defaultValue) {
        String v = value == null || value.isBlank() ? defaultValue : value.strip();
        if (!NAME.matcher(v).matches()) {
            throw new IllegalArgumentException(key + " must be 1-128 characters of [A-Za-z0-9._:-], got '" + v + "'");
        }
        return v;
    }
}
