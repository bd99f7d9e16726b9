package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the live connections of revoked sessions: looks the user's routes up and publishes one KICK
 * push task per matching connection to the {@code push} topic, which the router delivers to exactly
 * that connection (the path gates use for duplicate logins). Best effort and asynchronous: a revoked
 * token already cannot log in again, so a kick that fails is logged and the connection ends at its
 * next reconnect. Thread-safe.
 */
public final class SessionKicker {

    private static final Logger log = LoggerFactory.getLogger(SessionKicker.class);

    /** Kicks nothing: for an API that runs without the cluster (tests). */
    public static final SessionKicker NONE = new SessionKicker(null, null, null);

    private final RouteTable routes;
    private final Producer<String, byte[]> producer;
    private final String pushTopic;

    public SessionKicker(RouteTable routes, Producer<String, byte[]> producer, String pushTopic) {
        this.routes = routes;
        this.producer = producer;
        this.pushTopic = pushTopic;
    }

    /**
     * KICKs every connection of {@code uid} whose device matches {@code devices}.
     *
     * @return completes once the routes were read and the KICKs handed to the producer, with how many;
     *         never exceptionally (a failed lookup is logged and counts 0). A caller that waits knows that
     *         a connection registered after that was not kicked.
     */
    public CompletableFuture<Integer> kick(long uid, Predicate<String> devices, KickReason reason, String why) {
        Objects.requireNonNull(devices, "devices");
        if (routes == null) {
            return CompletableFuture.completedFuture(0);
        }
        return routes.lookup(List.of(uid)).handle((byUid, error) -> {
            if (error != null) {
                LogIdentity.user(log.atWarn(), uid)
                        .log("[uid={}] could not read the routes to kick ({}): {}", uid, why, error.toString());
                return 0;
            }
            int kicked = 0;
            for (Route route : byUid.getOrDefault(uid, List.of())) {
                if (devices.test(route.deviceId())) {
                    publish(route, reason, why);
                    kicked++;
                }
            }
            return kicked;
        });
    }

    private void publish(Route route, KickReason reason, String why) {
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder()
                        .setUid(route.uid())
                        .setGateId(route.gateId())
                        .setConnectionId(route.connectionId()))
                .setCommand(Command.KICK.code())
                .setBody(Kick.newBuilder().setReason(reason).setMessage(why + "; this connection is closed")
                        .build().toByteString())
                .build();
        LogIdentity.session(log.atInfo(), route.gateId(), route.connectionId(), route.uid(), route.deviceId())
                .log("[uid={} device={} gate={} conn={}] kicking: {}", route.uid(), route.deviceId(), route.gateId(),
                route.connectionId(), why);
        producer.send(new ProducerRecord<>(pushTopic, Long.toString(route.uid()), task.toByteArray()),
                (metadata, error) -> {
                    if (error != null) {
                        LogIdentity.session(log.atWarn(), route.gateId(), route.connectionId(), route.uid(),
                                        route.deviceId())
                                .log("[uid={} device={} gate={} conn={}] the KICK could not be published; the"
                                        + " connection stays open until it reconnects (its token is revoked)",
                                route.uid(), route.deviceId(), route.gateId(), route.connectionId(), error);
                    }
                });
    }
}
