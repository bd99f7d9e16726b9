package io.magpie.gate.internal;

import io.magpie.registry.Route;
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
 * Kicks a session that a newer one supersedes (ARCHITECTURE §2 step 3): the same device logging in
 * again, or the device policy allowing one session per platform class. On this gate by writing KICK
 * (reason DUPLICATE_DEVICE, a message saying why) and closing; on another gate through a KICK push task
 * that the router delivers to exactly that connection. Thread-safe.
 */
public final class DuplicateSessionKicker {

    private static final Logger log = LoggerFactory.getLogger(DuplicateSessionKicker.class);

    private final PushTaskPublisher pushTasks;

    public DuplicateSessionKicker(PushTaskPublisher pushTasks) {
        this.pushTasks = Objects.requireNonNull(pushTasks, "pushTasks");
    }

    /** Why a session goes when its own device logged in again on gate {@code newerGateId}. */
    public static String sameDevice(String newerGateId) {
        return "this device logged in again (gate " + newerGateId + ")";
    }

    /** Writes KICK (DUPLICATE_DEVICE) to {@code older}, a session on this gate, then closes it. */
    public void kickLocal(Session older, long newerConnectionId) {
        older.identify(log.atInfo())
                .log("{} kicked: the same device logged in again on this gate (conn={})", older.logPrefix(),
                newerConnectionId);
        write(older, sameDevice(older.gateId()));
    }

    /**
     * Writes KICK (DUPLICATE_DEVICE, {@code why}) to {@code victim}, a session on this gate, then closes
     * it; closing releases its session and route.
     */
    public void kickLocal(Session victim, String why) {
        victim.identify(log.atInfo()).log("{} kicked: {}", victim.logPrefix(), why);
        write(victim, why);
    }

    private static void write(Session victim, String why) {
        victim.channel().writeAndFlush(Frames.of(Command.KICK, 0, kick(why)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Asks the routers to KICK the connection of {@code older}, a route on another gate, for the same device. */
    public void kickRemote(Route older, Session newer) {
        kickRemote(older, newer, sameDevice(newer.gateId()));
    }

    /** Asks the routers to KICK (DUPLICATE_DEVICE, {@code why}) the connection of {@code victim} on its gate. */
    public void kickRemote(Route victim, Session newer, String why) {
        newer.identify(log.atInfo())
                .log("{} kicking the older session device={} on gate={} conn={}: {}", newer.logPrefix(),
                victim.deviceId(), victim.gateId(), victim.connectionId(), why);
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder()
                        .setUid(victim.uid())
                        .setGateId(victim.gateId())
                        .setConnectionId(victim.connectionId()))
                .setCommand(Command.KICK.code())
                .setBody(kick(why).toByteString())
                .build();
        pushTasks.publish(Long.toString(victim.uid()), task).whenComplete((ok, error) -> {
            if (error != null) {
                // The older connection stays open until its own heartbeat or a later kick ends it;
                // pushes already go to the newer route, so it only misses messages.
                newer.identify(log.atWarn())
                        .log("{} could not publish the KICK for gate={} conn={}; that older session stays open",
                        newer.logPrefix(), victim.gateId(), victim.connectionId(), error);
            }
        });
    }

    private static Kick kick(String why) {
        return Kick.newBuilder()
                .setReason(KickReason.DUPLICATE_DEVICE)
                .setMessage(why + "; this connection is closed")
                .build();
    }
}
