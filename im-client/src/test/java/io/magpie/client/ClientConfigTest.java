package io.magpie.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.proto.Platform;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientConfigTest {

    @Test
    void defaults() {
        ClientConfig c = ClientConfig.builder().build();

        assertEquals(URI.create("http://127.0.0.1:8081"), c.accountApiUrl());
        assertEquals(URI.create("http://127.0.0.1:8080"), c.lsbUrl());
        assertEquals(Transport.TCP, c.transport());
        assertEquals(Platform.DESKTOP, c.platform());
        assertEquals(Duration.ofSeconds(10), c.requestTimeout());
        assertEquals(Duration.ofSeconds(30), c.heartbeat());
        assertEquals(Duration.ofMillis(200), c.reconnectBackoffBase());
        assertEquals(Duration.ofSeconds(10), c.reconnectBackoffMax());
        assertTrue(c.autoReconnect());
        assertFalse(c.deviceId().isBlank());
        assertNull(c.eventLoopGroup());
        assertEquals(100, c.syncPageSize());
        assertEquals(100, c.pullPageSize());
        assertEquals(3, c.rateLimitRetries());
        assertFalse(ClientConfig.builder().build().deviceId().equals(c.deviceId()), "a fresh device id per config");
    }

    @Test
    void blankAppIdAndGrayTagMeanNone() {
        ClientConfig c = ClientConfig.builder().appId(" ").grayTag("").build();

        assertNull(c.appId());
        assertNull(c.grayTag());
    }

    @Test
    void appIdAndZoneAreOptionalAndTheAppIdFollowsTheGatesRule() {
        ClientConfig none = ClientConfig.builder().build();
        assertNull(none.appId());
        assertNull(none.zone());
        ClientConfig c = ClientConfig.builder().appId("chat.v2").zone("eu-west-1a").build();
        assertEquals("chat.v2", c.appId());
        assertEquals("eu-west-1a", c.zone());
        assertNull(ClientConfig.builder().zone(" ").build().zone());
        assertMessage("client.appId", () -> ClientConfig.builder().appId("chat app").build());
    }

    @Test
    void outOfRangeValuesNameTheSetting() {
        assertMessage("client.requestTimeout", () -> ClientConfig.builder().requestTimeout(Duration.ZERO).build());
        assertMessage("client.maxFrameBytes", () -> ClientConfig.builder().maxFrameBytes(10).build());
        assertMessage("client.lsbUrl", () -> ClientConfig.builder().lsbUrl("ftp://x").build());
        assertMessage("client.deviceId", () -> ClientConfig.builder().deviceId("").build());
        assertMessage("client.syncPageSize", () -> ClientConfig.builder().syncPageSize(0).build());
        assertMessage("client.pullPageSize", () -> ClientConfig.builder().pullPageSize(1001).build());
        assertMessage("client.rateLimitRetries", () -> ClientConfig.builder().rateLimitRetries(-1).build());
        assertMessage("client.rateLimitRetries", () -> ClientConfig.builder().rateLimitRetries(101).build());
        assertMessage("client.platform", () -> ClientConfig.builder().platform(Platform.PLATFORM_UNSPECIFIED).build());
    }

    @Test
    void contradictingBackoffSettingsNameBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientConfig.builder()
                .reconnectBackoffBase(Duration.ofSeconds(5)).reconnectBackoffMax(Duration.ofSeconds(1)).build());

        assertTrue(e.getMessage().contains("client.reconnectBackoffMax") && e.getMessage().contains("client.reconnectBackoffBase"));
    }

    @Test
    void toBuilderKeepsEverything() {
        ClientConfig c = ClientConfig.builder().transport(Transport.WEBSOCKET).deviceId("d").appId("chat").zone("z1")
                .syncPageSize(7).pullPageSize(9).rateLimitRetries(0).build();

        assertEquals(c, c.toBuilder().build());
    }

    private static void assertMessage(String setting, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(setting), e.getMessage());
    }
}
