package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.Route;
import io.magpie.gate.DevicePolicy;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PushTask;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** Logins under the device policies: what each client sees and which kicks are sent. */
class DevicePolicyLoginTest {

    private final LoginHarness gate = new LoginHarness(DevicePolicy.ONE_PER_PLATFORM_CLASS);

    private static Kick kickOf(Frame frame) throws Exception {
        assertEquals(Command.KICK.code(), frame.command(), () -> "expected KICK, got " + frame);
        return Kick.parseFrom(frame.body());
    }

    @Test
    void aSecondMobileDeviceKicksTheOlderMobileSession() throws Exception {
        EmbeddedChannel android = gate.loggedIn(42, "phone", Platform.ANDROID);
        next(android);
        EmbeddedChannel ios = gate.loggedIn(42, "tablet", Platform.IOS);

        assertEquals(Command.LOGIN_ACK.code(), next(ios).command());
        Kick kick = kickOf(next(android));
        assertEquals(KickReason.DUPLICATE_DEVICE, kick.getReason());
        assertTrue(kick.getMessage().contains("gate.device-policy") && kick.getMessage().contains("MOBILE"),
                kick.getMessage());
        assertFalse(android.isOpen());
        assertTrue(ios.isOpen());
        assertNull(gate.sessions.byDevice(42, "phone"));
    }

    @Test
    void aDesktopAndAWebSessionDoNotDisplaceTheMobileOne() {
        EmbeddedChannel phone = gate.loggedIn(42, "phone", Platform.ANDROID);
        next(phone);
        EmbeddedChannel desktop = gate.loggedIn(42, "laptop", Platform.DESKTOP);
        EmbeddedChannel web = gate.loggedIn(42, "browser", Platform.WEB);

        assertEquals(Command.LOGIN_ACK.code(), next(desktop).command());
        assertEquals(Command.LOGIN_ACK.code(), next(web).command());
        assertNull(phone.readOutbound(), "no KICK for the phone");
        assertTrue(phone.isOpen() && desktop.isOpen() && web.isOpen());
        assertEquals(3, gate.sessions.size());
    }

    @Test
    void anOlderMobileSessionOnAnotherGateIsKickedThroughThePushTopic() throws Exception {
        gate.routes.seed(new Route(42, "phone", "ANDROID", "gate-b", 77, LoginHarness.NOW - 60_000));
        EmbeddedChannel ios = gate.loggedIn(42, "tablet", Platform.IOS);
        assertEquals(Command.LOGIN_ACK.code(), next(ios).command());

        assertEquals(1, gate.pushTasks.published.size());
        PushTask task = gate.pushTasks.published.get(0).getValue();
        assertEquals(Command.KICK.code(), task.getCommand());
        assertEquals("gate-b", task.getTargets(0).getGateId());
        assertEquals(77, task.getTargets(0).getConnectionId());
        assertTrue(Kick.parseFrom(task.getBody()).getMessage().contains("gate.device-policy"));
    }

    @Test
    void aLoginThatFindsANewerSessionOfItsClassIsItselfKicked() throws Exception {
        // Two logins raced: the other gate's is newer, so this one goes and the other stays.
        gate.routes.seed(new Route(42, "phone", "ANDROID", "gate-b", 77, LoginHarness.NOW + 5));
        EmbeddedChannel ios = gate.loggedIn(42, "tablet", Platform.IOS);

        Kick kick = kickOf(next(ios));
        assertTrue(kick.getMessage().contains("already online"), kick.getMessage());
        assertFalse(ios.isOpen());
        assertEquals(0, gate.sessions.size());
        assertTrue(gate.pushTasks.published.isEmpty(), "the newer session is left alone");
        assertTrue(gate.routes.current.values().stream().noneMatch(r -> r.deviceId().equals("tablet")),
                "the kicked login's route is released");
    }

    @Test
    void withTheDefaultPolicyEveryDeviceStaysOnline() {
        LoginHarness multi = new LoginHarness();
        EmbeddedChannel android = multi.loggedIn(42, "phone", Platform.ANDROID);
        EmbeddedChannel ios = multi.loggedIn(42, "tablet", Platform.IOS);
        next(android);
        assertEquals(Command.LOGIN_ACK.code(), next(ios).command());
        assertNull(android.readOutbound());
        assertEquals(2, multi.sessions.size());
    }

    @Test
    void aFailedRouteLookupDoesNotRefuseTheLogin() {
        gate.routes.lookupFailure = new IllegalStateException("redis went away");
        EmbeddedChannel channel = gate.loggedIn(42, "phone", Platform.ANDROID);

        assertEquals(Command.LOGIN_ACK.code(), next(channel).command());
        assertTrue(channel.isOpen());
    }
}
