package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.DevicePolicy;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.Platform;
import io.magpie.registry.ActiveSessions;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** LOGIN on a gate that serves specific apps ({@code gate.app-ids}): the token's app id decides. */
class AppIsolationLoginTest {

    private final LoginHarness gate = new LoginHarness();

    private EmbeddedChannel login(Set<String> served, String tokenAppId) {
        LoginServices services = new LoginServices(LoginHarness.GATE, gate.config.loginTimeout(), 30, gate.clock,
                gate.tokens, gate.connectionIds::incrementAndGet, gate.sessionRoutes, gate.kicker,
                DevicePolicy.MULTI_DEVICE, ActiveSessions.NONE, new ServedApps(served));
        ClientPipeline pipeline = new ClientPipeline(gate.config, gate.clock, gate.ticker, gate.upstream, services);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ClientPipeline.LOGIN, new LoginHandler(services, pipeline, "tcp"));
        String token = gate.tokens.issue(new TokenClaims(42, "phone", Platform.IOS, LoginHarness.NOW + 600_000, 0,
                tokenAppId));
        channel.writeInbound(LoginHarness.login(5, token));
        channel.runPendingTasks();
        return channel;
    }

    @Test
    void aTokenOfAnAppTheGateServesLogsIn() {
        EmbeddedChannel channel = login(Set.of("chat", "support"), "support");

        assertEquals(Command.LOGIN_ACK.code(), next(channel).command());
        assertTrue(channel.isActive());
    }

    @Test
    void aTokenOfAnotherAppIsRefusedWithAppNotServedAndClosedBeforeAnythingIsRegistered() {
        EmbeddedChannel channel = login(Set.of("game"), "chat");

        Error error = nextError(channel, ErrorCode.APP_NOT_SERVED, 5);
        assertEquals("this gate serves only the apps [game], not the token's app 'chat'; closing connection: ask the"
                + " LSB for a gate of your app (GET /v1/gate?appId=chat)", error.getMessage());
        assertEquals(Command.LOGIN.code(), error.getCommand());
        assertFalse(error.getRetryable());
        assertFalse(channel.isOpen());
        assertTrue(gate.routes.registered.isEmpty(), "a refused login registers no route");
        assertTrue(gate.pushTasks.published.isEmpty(), "and kicks nobody");
    }

    @Test
    void aTokenWithoutAnAppIsRefusedOnAGateServingSpecificApps() {
        EmbeddedChannel channel = login(Set.of("game"), null);

        Error error = nextError(channel, ErrorCode.APP_NOT_SERVED, 5);
        assertTrue(error.getMessage().contains("names no app") && error.getMessage().contains("appId"),
                error.getMessage());
        assertFalse(channel.isOpen());
    }

    @Test
    void aGateServingEveryAppAdmitsTokensWithAndWithoutAnApp() {
        assertEquals(Command.LOGIN_ACK.code(), next(login(Set.of(), "chat")).command());
        assertEquals(Command.LOGIN_ACK.code(), next(login(Set.of(), null)).command());
    }
}
