package io.magpie.http;

import io.javalin.config.JavalinConfig;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cross-origin access (CORS) to one of our HTTP APIs, so that a web page served from another origin (the
 * web chat on the account API's port calling the LSB, or an operator's own page) may call it from a
 * browser. Our APIs authenticate with a bearer token in the {@code Authorization} header, never with
 * cookies, so answering another origin exposes nothing its script could not already ask for with the
 * token: credentials (cookies) are never allowed.
 *
 * <p>{@code origins} is the {@code http.cors-origins} setting: {@code ["*"]} (the default) allows every
 * origin, an empty list turns CORS off (browsers then refuse cross-origin calls), otherwise each entry is
 * an exact origin such as {@code https://chat.example.com} ({@code scheme://host[:port]}, no path).
 */
public record CrossOrigin(List<String> origins) {

    /** Every origin: the APIs take bearer tokens, not cookies. */
    public static final CrossOrigin ANY = new CrossOrigin(List.of("*"));
    /** No CORS headers at all. */
    public static final CrossOrigin OFF = new CrossOrigin(List.of());

    private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?");

    /**
     * @throws IllegalArgumentException naming the first entry that is neither {@code *} nor an origin
     */
    public CrossOrigin {
        origins = List.copyOf(origins);
        for (String origin : origins) {
            if (!"*".equals(origin) && !ORIGIN.matcher(origin).matches()) {
                throw new IllegalArgumentException("http.cors-origins: '" + origin + "' is not an origin; give"
                        + " scheme://host[:port] without a path (e.g. https://chat.example.com), or * for any");
            }
        }
        if (origins.contains("*") && origins.size() > 1) {
            throw new IllegalArgumentException("http.cors-origins: * already allows every origin; list origins"
                    + " or give *, not both (got " + origins + ")");
        }
    }

    /** Adds the CORS rule (preflight answers and response headers) to the server {@code cfg} configures. */
    public void install(JavalinConfig cfg) {
        if (origins.isEmpty()) {
            return;
        }
        cfg.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
            if (origins.contains("*")) {
                rule.anyHost();
            } else {
                origins.forEach(origin -> rule.allowHost(origin));
            }
            rule.exposeHeader("Retry-After");
        }));
    }
}
