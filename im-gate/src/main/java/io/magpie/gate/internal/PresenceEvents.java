package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.proto.PresenceEvent;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells logic that a session started or ended (docs/PROTOCOL.md §9.14): an {@code upstream} record keyed
 * {@code u_<uid>} with command PRESENCE_EVENT, sent after the route was registered or unregistered, so
 * logic that re-reads the user's routes sees the change. Logic debounces and announces; the event is only
 * a "look again". A lost event (bus down) is logged: the user's presence is then announced at their next
 * session change, and a PRESENCE query reads the routes either way. Thread-safe, never blocks.
 */
public final class PresenceEvents {

    private static final Logger log = LoggerFactory.getLogger(PresenceEvents.class);

    private final UpstreamPublisher publisher;
    private final Clock clock;

    public PresenceEvents(UpstreamPublisher publisher, Clock clock) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The session logged in and its route is registered. */
    public void online(Session session) {
        publish(session, true);
    }

    /** The session ended and its route is unregistered. */
    public void offline(Session session) {
        publish(session, false);
    }

    private void publish(Session session, boolean online) {
        UpstreamEnvelope envelope = session.envelope()
                .setCommand(Command.PRESENCE_EVENT.code())
                .setBody(PresenceEvent.newBuilder().setOnline(online).build().toByteString())
                .setReceivedAt(clock.millis())
                .build();
        publisher.publish("u_" + session.uid(), envelope).whenComplete((ok, error) -> {
            if (error != null) {
                session.identify(log.atWarn())
                        .log("{} could not publish the presence event (online={}); watchers learn of this user's "
                        + "presence at its next change", session.logPrefix(), online, error);
            }
        });
    }
}
