package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import java.util.Objects;

/**
 * Ends the session when its connection closes: takes it out of the gate's session table and unregisters its
 * route ({@link SessionRoutes#release}, which does so once however often it is called). A session part that
 * takes no frame; a close listener per connection did the same for 80 bytes of every idle connection's heap
 * (docs/benchmarks.md). One instance serves every connection of a gate.
 */
final class RouteRelease implements SessionPart {

    private final SessionRoutes routes;

    RouteRelease(SessionRoutes routes) {
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    @Override
    public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
        return false;
    }

    @Override
    public void closed(Session session) {
        routes.release(session);
    }
}
