package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PresenceState;
import org.junit.jupiter.api.Test;

/** How {@code magpie chat} prints a presence state. */
class ChatPresenceCommandsTest {

    @Test
    void onlineShowsPlatformsDevicesAndStatus() {
        PresenceState s = PresenceState.newBuilder().setUid(2).setOnline(true).addPlatforms(Platform.ANDROID)
                .addPlatforms(Platform.WEB).setDeviceCount(2).setStatusText("on the train").build();
        assertEquals("bob is online on ANDROID, WEB (2 devices) - \"on the train\"",
                ChatPresenceCommands.describe("bob", s));
    }

    @Test
    void offlineShowsLastSeenWhenKnown() {
        assertEquals("bob is offline, last seen 1970-01-01T00:00:01Z",
                ChatPresenceCommands.describe("bob", PresenceState.newBuilder().setUid(2).setLastSeen(1000).build()));
        assertEquals("bob is offline", ChatPresenceCommands.describe("bob", PresenceState.newBuilder().setUid(2).build()));
    }
}
