package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.das.DirectMessagePolicies;
import io.magpie.das.DirectMessagePolicy;
import java.util.Arrays;

/**
 * Who may send the caller one-to-one messages (docs/PROTOCOL.md §9.13):
 * <ul>
 *   <li>{@code GET /v1/me/settings/dm-policy} -> {@code {policy: "ANYONE"|"FRIENDS"}}</li>
 *   <li>{@code PUT /v1/me/settings/dm-policy {policy: "ANYONE"|"FRIENDS"}} -> 204</li>
 * </ul>
 * Under FRIENDS a non-friend's SEND is refused ({@code NOT_FRIEND}), in existing conversations too; it
 * applies from the next batch of SENDs logic reads. Thread-safe; blocking (JDBC).
 */
public final class DmPolicyRoutes {

    record Policy(String policy) {
    }

    private final DirectMessagePolicies policies;
    private final JsonBodies bodies;

    public DmPolicyRoutes(DirectMessagePolicies policies, JsonBodies bodies) {
        this.policies = policies;
        this.bodies = bodies;
    }

    public void register(Javalin app) {
        app.get("/v1/me/settings/dm-policy", this::get);
        app.put("/v1/me/settings/dm-policy", this::set);
    }

    private void get(Context ctx) throws ApiException {
        long caller = BearerAuth.caller(ctx).uid();
        DirectMessagePolicy p = policies.of(caller).orElseThrow(() -> noAccount(caller));
        ctx.json(new Policy(p.name()));
    }

    private void set(Context ctx) throws ApiException {
        long caller = BearerAuth.caller(ctx).uid();
        Policy req = bodies.read(ctx, Policy.class);
        DirectMessagePolicy p = Arrays.stream(DirectMessagePolicy.values())
                .filter(v -> v.name().equals(req.policy())).findFirst()
                .orElseThrow(() -> ApiException.badRequest("policy must be ANYONE or FRIENDS, got "
                        + (req.policy() == null ? "none" : "'" + JsonBodies.abbreviate(req.policy()) + "'")));
        if (!policies.set(caller, p)) {
            throw noAccount(caller);
        }
        ctx.status(204);
    }

    private static ApiException noAccount(long caller) {
        return new ApiException(404, "NOT_FOUND", "there is no account with uid " + caller);
    }
}
