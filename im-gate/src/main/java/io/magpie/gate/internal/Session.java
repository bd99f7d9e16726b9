package io.magpie.gate.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.Route;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.netty.channel.Channel;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One logged-in client connection: the identity the gate authenticated from the token, never
 * anything the client sent later. Immutable.
 *
 * @param connectionId  unique within this gate's run
 * @param uid           authenticated user id
 * @param deviceId      authenticated device id
 * @param platform      authenticated platform
 * @param gateId        the gate holding the connection
 * @param loginAtMillis when the token was accepted (gate clock)
 * @param channel       the client connection
 * @param appId         the app id of the token, "" for none (logic chooses the app's before-send hook by it)
 */
public record Session(long connectionId, long uid, String deviceId, Platform platform, String gateId,
        long loginAtMillis, Channel channel, String appId) {

    public Session {
        appId = appId == null ? "" : appId;
    }

    /** A session of a token without an app id. */
    public Session(long connectionId, long uid, String deviceId, Platform platform, String gateId,
            long loginAtMillis, Channel channel) {
        this(connectionId, uid, deviceId, platform, gateId, loginAtMillis, channel, "");
    }

    /** The route this session registers in the shared route table. */
    public Route route() {
        return new Route(uid, deviceId, platform.name(), gateId, connectionId, loginAtMillis);
    }

    /**
     * An envelope to logic from this session: the gate, connection, uid, device and platform the gate authenticated,
     * never anything the client sent; the caller adds the command and what it carries.
     */
    public UpstreamEnvelope.Builder envelope() {
        return UpstreamEnvelope.newBuilder()
                .setGateId(gateId)
                .setConnectionId(connectionId)
                .setUid(uid)
                .setDeviceId(deviceId)
                .setPlatform(platform);
    }

    /** Identity prefix for every log line about this session. */
    public String logPrefix() {
        return "[gate=" + gateId + " conn=" + connectionId + " uid=" + uid + " device=" + deviceId + "]";
    }

    /**
     * Adds this session's identity to a log event as key-value pairs ({@code gate}, {@code conn}, {@code uid},
     * {@code device}: fields of the JSON log); the text line keeps {@link #logPrefix()}. Costs nothing for a
     * level that is off.
     */
    public LoggingEventBuilder identify(LoggingEventBuilder event) {
        return LogIdentity.session(event, gateId, connectionId, uid, deviceId);
    }

    @Override
    public String toString() {
        return "Session" + logPrefix();
    }
}
