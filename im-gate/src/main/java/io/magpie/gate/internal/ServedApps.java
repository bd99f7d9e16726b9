package io.magpie.gate.internal;

import io.magpie.protocol.auth.TokenClaims;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * App-id isolation at LOGIN: the apps this gate serves ({@code gate.app-ids}) against the app id its token
 * carries. A gate with no app ids serves every app and admits every token. A gate with app ids admits
 * only tokens of one of them; a token without an app id (the login named none, or it was minted before
 * the claim existed) is refused there too, because the gate cannot tell it belongs to one of its apps, and
 * the LSB never sends a client without an app id to such a gate anyway.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServedApps {

    /** Serves every app: nothing is refused. */
    public static final ServedApps ALL = new ServedApps(Set.of());

    private final Set<String> appIds;

    /** @param appIds the gate's {@code gate.app-ids}; empty = every app */
    public ServedApps(Set<String> appIds) {
        this.appIds = Set.copyOf(Objects.requireNonNull(appIds, "appIds"));
    }

    /** Empty when a client with {@code claims} may log in here, else why not, for the ERROR's message. */
    public Optional<String> refusal(TokenClaims claims) {
        if (appIds.isEmpty() || (claims.appId() != null && appIds.contains(claims.appId()))) {
            return Optional.empty();
        }
        String served = "this gate serves only the apps " + new TreeSet<>(appIds);
        if (claims.appId() == null) {
            return Optional.of(served + ", and the login token names no app; closing connection: log in over HTTP"
                    + " with your appId (POST /v1/sessions) and ask the LSB for a gate with it (GET /v1/gate?appId=)");
        }
        return Optional.of(served + ", not the token's app '" + claims.appId() + "'; closing connection: ask the LSB"
                + " for a gate of your app (GET /v1/gate?appId=" + claims.appId() + ")");
    }
}
