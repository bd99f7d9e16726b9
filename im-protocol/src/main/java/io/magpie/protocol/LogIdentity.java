package io.magpie.protocol;

import org.slf4j.spi.LoggingEventBuilder;
import org.slf4j.spi.NOPLoggingEventBuilder;

/**
 * The identity of a log line (who it is about: gate, connection, uid, device, conversation) as SLF4J key-value
 * pairs, with the same key names in every role. The text log shows the identity as the message's bracketed
 * prefix and ignores these pairs; the JSON log (docs/operations.md §6, {@code MAGPIE_LOG_FORMAT=json}) writes
 * each pair as a field of its own, so a collector can filter by uid without parsing messages.
 *
 * <p>Use on a fluent event, {@code LogIdentity.session(log.atInfo(), gate, conn, uid, device).log("{} ...",
 * prefix, ...)}: for a level that is off, SLF4J hands out the no-op builder and nothing is boxed or
 * allocated here, so a disabled debug line costs what it did before. Stateless and thread-safe.
 */
public final class LogIdentity {

    /** The gate's id ({@code gate.id}). */
    public static final String GATE = "gate";
    /** The gate's connection id, unique within one gate. */
    public static final String CONN = "conn";
    /** The authenticated user id. */
    public static final String UID = "uid";
    /** The device id of the session. */
    public static final String DEVICE = "device";
    /** The conversation id ({@code s_...} or {@code g_...}). */
    public static final String CONVERSATION = "conversation";

    private LogIdentity() {
    }

    /** A logged-in session on a gate: {@code gate}, {@code conn}, {@code uid}, {@code device}. */
    public static LoggingEventBuilder session(LoggingEventBuilder event, String gateId, long connectionId, long uid,
            String deviceId) {
        if (event instanceof NOPLoggingEventBuilder) {
            return event;
        }
        return event.addKeyValue(GATE, gateId).addKeyValue(CONN, connectionId).addKeyValue(UID, uid)
                .addKeyValue(DEVICE, deviceId);
    }

    /** A user's device seen from logic: {@code uid}, and {@code gate} and {@code device} when not null. */
    public static LoggingEventBuilder device(LoggingEventBuilder event, String gateId, long uid, String deviceId) {
        if (event instanceof NOPLoggingEventBuilder) {
            return event;
        }
        if (gateId != null) {
            event = event.addKeyValue(GATE, gateId);
        }
        event = event.addKeyValue(UID, uid);
        return deviceId == null ? event : event.addKeyValue(DEVICE, deviceId);
    }

    /** A user's device acting in a conversation: {@code uid}, {@code device}, {@code conversation}. */
    public static LoggingEventBuilder sender(LoggingEventBuilder event, long uid, String deviceId,
            String conversationId) {
        if (event instanceof NOPLoggingEventBuilder) {
            return event;
        }
        return event.addKeyValue(UID, uid).addKeyValue(DEVICE, deviceId).addKeyValue(CONVERSATION, conversationId);
    }

    /** A user, no device: {@code uid}. */
    public static LoggingEventBuilder user(LoggingEventBuilder event, long uid) {
        if (event instanceof NOPLoggingEventBuilder) {
            return event;
        }
        return event.addKeyValue(UID, uid);
    }

    /** A conversation: {@code conversation}. */
    public static LoggingEventBuilder conversation(LoggingEventBuilder event, String conversationId) {
        if (event instanceof NOPLoggingEventBuilder) {
            return event;
        }
        return event.addKeyValue(CONVERSATION, conversationId);
    }

    /** A gate: {@code gate}. */
    public static LoggingEventBuilder gate(LoggingEventBuilder event, String gateId) {
        if (event instanceof NOPLoggingEventBuilder) {
            return event;
        }
        return event.addKeyValue(GATE, gateId);
    }
}
