package io.magpie.gate.internal;

import io.magpie.gate.DevicePolicy;
import io.magpie.gate.GateConfig;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Platform;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** One gate's login wiring around EmbeddedChannels, with recording seams for the route table and the bus. */
final class LoginHarness {

    static final String GATE = "gate-a";
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.UTF_8);
    static final long NOW = Instant.parse("2025-06-01T12:00:00Z").toEpochMilli();

    final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    final ManualTicker ticker = new ManualTicker();
    final TokenCodec tokens;
    final GateConfig config = GateConfig.builder().gateId(GATE).loginTimeout(Duration.ofSeconds(5))
            .heartbeatInterval(Duration.ofSeconds(30)).build();
    final RecordingRouteTable routes = new RecordingRouteTable();
    final SessionTable sessions = new SessionTable();
    final RecordingPublishers.Upstream upstream = new RecordingPublishers.Upstream();
    final RecordingPublishers.Push pushTasks = new RecordingPublishers.Push();
    final AtomicLong connectionIds = new AtomicLong();
    final DuplicateSessionKicker kicker = new DuplicateSessionKicker(pushTasks);
    final SessionRoutes sessionRoutes = new SessionRoutes(sessions, routes, clock);
    final LoginServices services;
    final ClientPipeline pipeline;

    LoginHarness() {
        this(DevicePolicy.MULTI_DEVICE);
    }

    LoginHarness(DevicePolicy devicePolicy) {
        this(devicePolicy, SECRET);
    }

    /** @param secret the token secret (key id {@code default}) the gate verifies tokens with */
    LoginHarness(DevicePolicy devicePolicy, byte[] secret) {
        tokens = new TokenCodec(secret, clock);
        services = new LoginServices(GATE, config.loginTimeout(), 30, clock, tokens, connectionIds::incrementAndGet,
                sessionRoutes, kicker, devicePolicy);
        pipeline = new ClientPipeline(config, clock, ticker, upstream, services);
    }

    /** A connection whose pipeline is the login stage (plus the error stage), speaking Frame objects. */
    EmbeddedChannel connect() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ClientPipeline.LOGIN, new LoginHandler(services, pipeline, "tcp"));
        return channel;
    }

    String token(long uid, String device) {
        return token(uid, device, Platform.ANDROID);
    }

    String token(long uid, String device, Platform platform) {
        return tokens.issue(new TokenClaims(uid, device, platform, NOW + 3_600_000));
    }

    static Frame login(int requestId, String token) {
        return Frames.of(Command.LOGIN, requestId, LoginRequest.newBuilder().setToken(token).build());
    }

    /** Writes LOGIN and runs the registration continuation. */
    EmbeddedChannel loggedIn(long uid, String device) {
        return loggedIn(uid, device, Platform.ANDROID);
    }

    EmbeddedChannel loggedIn(long uid, String device, Platform platform) {
        EmbeddedChannel channel = connect();
        channel.writeInbound(login(1, token(uid, device, platform)));
        channel.runPendingTasks();
        return channel;
    }
}
