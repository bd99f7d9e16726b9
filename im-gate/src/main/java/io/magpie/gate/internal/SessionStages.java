package io.magpie.gate.internal;

import io.netty.channel.ChannelPipeline;

/** Installs the stages a connection gets once it is logged in. Implemented by {@link ClientPipeline}. */
@FunctionalInterface
public interface SessionStages {

    /**
     * Adds the session stages right after the stage named {@code after}, in order.
     *
     * @param sessionId the device session of the token the connection logged in with; 0 = unbound
     */
    void install(ChannelPipeline pipeline, String after, Session session, long sessionId);
}
