package io.magpie.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.Route;
import org.junit.jupiter.api.Test;

class RouteCodecTest {

    @Test
    void roundTrips() {
        Route route = new Route(42, "phone-1", "ANDROID", "gate-a", 77, 1_700_000_000_123L);
        String value = RouteCodec.encode(route);
        assertEquals("gate-a|77|ANDROID|1700000000123", value);
        assertEquals(route, RouteCodec.decode(42, "phone-1", value));
    }

    @Test
    void connectionPrefixEndsWithSeparatorSoConnection7DoesNotMatch77() {
        Route seven = new Route(42, "phone-1", "ANDROID", "gate-a", 7, 1);
        assertEquals("gate-a|7|", RouteCodec.connectionPrefix(seven));
        assertTrue(!RouteCodec.encode(new Route(42, "phone-1", "ANDROID", "gate-a", 77, 1))
                .startsWith(RouteCodec.connectionPrefix(seven)));
    }

    @Test
    void malformedValueNamesUidDeviceAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RouteCodec.decode(42, "phone-1", "gate-a|x|IOS|1"));
        assertTrue(e.getMessage().contains("uid 42") && e.getMessage().contains("phone-1")
                && e.getMessage().contains("gate-a|x|IOS|1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RouteCodec.decode(42, "phone-1", "gate-a|1"));
    }

    @Test
    void readsTheExpiryTheRegisterScriptAppendsAndTreatsAnOldValueAsNeverExpiring() {
        Route route = new Route(42, "phone-1", "ANDROID", "gate-a", 7, 1000);
        assertEquals(route, RouteCodec.decode(42, "phone-1", RouteCodec.encode(route) + "|5000"));
        assertEquals(5000, RouteCodec.expiresAt(RouteCodec.encode(route) + "|5000"));
        assertEquals(Long.MAX_VALUE, RouteCodec.expiresAt(RouteCodec.encode(route)));
        assertThrows(IllegalArgumentException.class, () -> RouteCodec.expiresAt("gate-a|7|IOS|1|soon"));
    }
}
