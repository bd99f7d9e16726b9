package io.magpie.gate.internal;

import io.magpie.das.Route;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.netty.channel.ChannelFutureListener;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kicks the older session when a device logs in again (ARCHITECTURE §2 step 3): on this gate by
 * writing KICK and closing, on another gate through a KICK push task that the router delivers to
 * exactly that connection. Thread-safe.
 */
public final class DuplicateSessionKicker {

    private static final Logger log = LoggerFactory.getLogger(DuplicateSessionKicker.class);

    private final PushTaskPublisher pushTasks;

    public DuplicateSessionKicker(PushTaskPublisher pushTasks) {
        this.pushTasks = Objects.requireNonNull(pushTasks, "pushTasks");
    }

    /** Writes KICK (DUPLICATE_DEVICE) to {@code older}, a session on this gate, then closes it. */
    public void kickLocal(Session older, long newerConnectionId) {
        log.info("{} kicked: the same device logged in again on this gate (conn={})", older.logPrefix(),
                newerConnectionId);
        older.channel().writeAndFlush(Frames.of(Command.KICK, 0, kick(older.gateId())))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Asks the routers to KICK the connection of {@code older}, a route on another gate. */
    public void kickRemote(Route older, Session newer) {
        log.info("{} kicking the older session of this device on gate={} conn={}", newer.logPrefix(),
                older.gateId(), older.connectionId());
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder()
                        .setUid(older.uid())
                        .setGateId(older.gateId())
                        .setConnectionId(older.connectionId()))
                .setCommand(Command.KICK.code())
                .setBody(kick(newer.gateId()).toByteString())
                .build();
        pushTasks.publish(Long.toString(older.uid()), task).whenComplete((ok, error) -> {
            if (error != null) {
                // The older connection stays open until its own heartbeat or a later kick ends it;
                // pushes already go to the newer route, so it only misses messages.
                log.warn("{} could not publish the KICK for gate={} conn={}; that older session stays open",
                        newer.logPrefix(), older.gateId(), older.connectionId(), error);
            }
        });
    }

    private static Kick kick(String newerGateId) {
        return Kick.newBuilder()
                .setReason(KickReason.DUPLICATE_DEVICE)
                .setMessage("this device logged in again (gate " + newerGateId + "); this connection is closed")
                .build();
    }
}
