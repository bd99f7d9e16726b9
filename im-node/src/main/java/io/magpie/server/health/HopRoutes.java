package io.magpie.server.health;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.gate.HopLatencies;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /debug/hops} on the health listener of a process that runs a gate: the gate's
 * {@link HopLatencies} since the last reset as JSON (docs/operations.md, "Hop latencies");
 * {@code ?reset=true} starts a new window after answering, which is how the load tool brackets its
 * measured window. Unauthenticated like {@code /metrics}: it shows timings, no ids or content. Until the
 * gate runs it answers 503 {@code NO_GATE}. Thread-safe.
 */
public final class HopRoutes {

    public static final String PATH = "/debug/hops";

    private final Clock clock;
    private volatile HopLatencies hops;

    public HopRoutes(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The running gate's latencies. */
    public void attach(HopLatencies latencies) {
        this.hops = Objects.requireNonNull(latencies, "latencies");
    }

    /** Adds the route to {@code javalin} (before it starts). */
    public void install(Javalin javalin) {
        javalin.get(PATH, this::answer);
    }

    private void answer(Context ctx) {
        HopLatencies latencies = hops;
        ctx.header("Cache-Control", "no-store");
        if (latencies == null) {
            ctx.status(503).json(Map.of("code", "NO_GATE", "message",
                    "this process runs no gate (or it has not started yet): hop latencies are recorded by gates"));
            return;
        }
        String reset = ctx.queryParam("reset");
        if (reset != null && !reset.equals("true") && !reset.equals("false")) {
            ctx.status(400).json(Map.of("code", "BAD_REQUEST", "message",
                    "reset must be true or false, got '" + reset + "'"));
            return;
        }
        ctx.json(latencies.snapshot(clock.millis(), "true".equals(reset)));
    }
}
