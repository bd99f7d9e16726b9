package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.das.PresenceSettings;
import io.magpie.protocol.Command;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.PresenceEvent;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.time.Clock;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's presence settings in the account API (docs/PROTOCOL.md §9.14):
 * <ul>
 *   <li>{@code GET /v1/me/presence} -> 200 {@code {statusText, hidden, lastSeen}}</li>
 *   <li>{@code PUT /v1/me/presence {statusText?, hidden?}} -> 200 the same; an absent field keeps its value;
 *       {@code statusText} at most 100 code points, no control characters</li>
 * </ul>
 * After a change the route asks the presence announcer to look at the user again (a PRESENCE_EVENT on
 * {@code upstream}, key {@code u_<uid>}), so watchers see a user who hides go offline, and the new status
 * text. Thread-safe.
 */
public final class PresenceRoutes {

    /** The gate id the account API's PRESENCE_EVENTs carry (no reply is ever sent to it). */
    public static final String SOURCE = "account-api";

    private static final Logger log = LoggerFactory.getLogger(PresenceRoutes.class);

    record Update(String statusText, Boolean hidden) {
    }

    record View(String statusText, boolean hidden, long lastSeen) {
    }

    private final PresenceSettings settings;
    private final JsonBodies bodies;
    private final Producer<String, byte[]> producer;
    private final String upstreamTopic;
    private final Clock clock;

    /** @param producer where the "look again" event goes; null = nowhere (watchers learn at the next change) */
    public PresenceRoutes(PresenceSettings settings, JsonBodies bodies, Producer<String, byte[]> producer,
            String upstreamTopic, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.bodies = Objects.requireNonNull(bodies, "bodies");
        this.producer = producer;
        this.upstreamTopic = upstreamTopic;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void register(Javalin app) {
        app.get("/v1/me/presence", this::get);
        app.put("/v1/me/presence", this::put);
    }

    private void get(Context ctx) {
        ctx.json(view(settings.read(BearerAuth.caller(ctx).uid())));
    }

    private void put(Context ctx) throws ApiException {
        Update req = bodies.read(ctx, Update.class);
        long uid = BearerAuth.caller(ctx).uid();
        if (req.statusText() != null) {
            String text = req.statusText();
            int length = text.codePointCount(0, text.length());
            if (length > PresenceSettings.MAX_STATUS_CODE_POINTS) {
                throw ApiException.badRequest("statusText has " + length + " code points; at most "
                        + PresenceSettings.MAX_STATUS_CODE_POINTS + " are allowed");
            }
            if (text.codePoints().anyMatch(Character::isISOControl)) {
                throw ApiException.badRequest("statusText must not contain control characters (line breaks, tabs)");
            }
        }
        PresenceSettings.Setting current = settings.read(uid);
        String text = req.statusText() != null ? req.statusText() : current.statusText();
        boolean hidden = req.hidden() != null ? req.hidden() : current.hidden();
        settings.update(uid, text, hidden);
        if (!text.equals(current.statusText()) || hidden != current.hidden()) {
            lookAgain(uid);
        }
        ctx.json(view(new PresenceSettings.Setting(text, hidden, current.lastSeenMillis())));
    }

    private void lookAgain(long uid) {
        if (producer == null) {
            return;
        }
        UpstreamEnvelope event = UpstreamEnvelope.newBuilder()
                .setGateId(SOURCE)
                .setUid(uid)
                .setCommand(Command.PRESENCE_EVENT.code())
                .setBody(PresenceEvent.newBuilder().setOnline(true).build().toByteString())
                .setReceivedAt(clock.millis())
                .build();
        producer.send(new ProducerRecord<>(upstreamTopic, "u_" + uid, event.toByteArray()), (meta, error) -> {
            if (error != null) {
                LogIdentity.user(log.atWarn(), uid)
                        .log("[uid {}] presence setting stored, but the announcer was not told ({}); watchers see it at "
                        + "the user's next session change", uid, error.toString());
            }
        });
    }

    private static View view(PresenceSettings.Setting s) {
        return new View(s.statusText(), s.hidden(), s.lastSeenMillis());
    }
}
