package io.magpie.server.config;

/** What a listener's bind address means for who can reach it, and how a local client does. */
public final class BindAddress {

    /** The address a local client uses for a listener bound to every interface. */
    public static final String LOOPBACK = "127.0.0.1";

    private BindAddress() {
    }

    /** Whether {@code address} binds every interface (IPv4 or IPv6). */
    public static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }

    /** Where a client on this machine reaches a listener bound to {@code bound}: loopback for a wildcard. */
    public static String reachable(String bound) {
        return isWildcard(bound) ? LOOPBACK : bound;
    }
}
