package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;

/**
 * One job of a logged-in connection's frames ({@link LogoutCommand}, {@link RateLimiter}, {@link UpstreamForwarder},
 * {@link PushAcks}, {@link ControlCommands}, {@link RouteRelease}), run in order by the connection's
 * {@link SessionHandler}. A part with no state of its own is one object shared by the gate's connections. A
 * part writes through the context it is given, which is the session stage's: what it writes meets the stages
 * below (the slow-reader guard, then the frame codec, which counts and encodes it) as a stage's writes did.
 * Confined to the channel's event loop unless the part says otherwise. An answer written during {@link #read}
 * needs no flush: the session stage flushes once per read burst.
 */
interface SessionPart {

    /**
     * Takes {@code frame} of {@code session} (answers, forwards or drops it) and returns true, or returns false to
     * leave it to the next part.
     */
    boolean read(ChannelHandlerContext ctx, Session session, Frame frame);

    /** The session stage joined the pipeline; {@code ctx} is its context, for writes outside {@link #read}. */
    default void added(ChannelHandlerContext ctx) {
    }

    /** The connection of {@code session} closed or the session stage left the pipeline; may come twice. */
    default void closed(Session session) {
    }
}
