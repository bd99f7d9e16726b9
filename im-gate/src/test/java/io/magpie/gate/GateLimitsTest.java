package io.magpie.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GateLimitsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        GateLimits d = GateLimits.defaults();
        assertEquals(64 << 10, d.writeBufferHighBytes());
        assertEquals(1 << 20, d.maxOutboundBytes());
        assertEquals(Duration.ofSeconds(30), d.unwritableTimeout());
        assertEquals(100, d.sendsPerSecond());
        assertEquals(5, d.syncsPerSecond());
        assertEquals(64, d.maxUnauthenticatedPerAddress());
        assertEquals(d, GateConfig.defaults().limits());
    }

    @Test
    void aBadLimitIsRefusedNamingItsYamlKey() {
        var low = assertThrows(IllegalArgumentException.class,
                () -> GateLimits.defaults().toBuilder().writeBufferLowBytes(1 << 20).build());
        assertTrue(low.getMessage().contains("gate.limits.write-buffer-low-bytes"), low.getMessage());
        assertTrue(low.getMessage().contains("gate.limits.write-buffer-high-bytes"), low.getMessage());

        var burst = assertThrows(IllegalArgumentException.class,
                () -> GateLimits.defaults().toBuilder().sends(10, 0).build());
        assertEquals("gate.limits.send-burst must be 1..10000000, got 0", burst.getMessage());

        var outbound = assertThrows(IllegalArgumentException.class,
                () -> GateLimits.defaults().toBuilder().maxOutboundBytes(100 << 10).build());
        assertTrue(outbound.getMessage().startsWith("gate.limits.max-outbound-bytes (102400) must be at least twice"),
                outbound.getMessage());
    }

    @Test
    void aRateOfZeroTurnsABudgetOff() {
        GateLimits off = GateLimits.defaults().toBuilder().sends(0, 0).frames(0, 0).build();
        assertEquals(0, off.sendsPerSecond());
    }
}
