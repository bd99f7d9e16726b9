package io.magpie.lsb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LsbConfigTest {

    @Test
    void defaults() {
        LsbConfig c = LsbConfig.defaults();

        assertEquals(8080, c.httpPort());
        assertEquals(Duration.ofSeconds(1), c.registryPollInterval());
        assertEquals(Duration.ofSeconds(10), c.assignmentWindow());
        assertEquals(Duration.ofSeconds(2), c.registryReadTimeout());
        assertEquals(Duration.ofSeconds(5), c.readinessStaleness());
    }

    @Test
    void portZeroMeansEphemeral() {
        assertEquals(0, LsbConfig.defaults().withHttpPort(0).httpPort());
    }

    @Test
    void outOfRangeValuesNameTheSettingAndTheLimit() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> LsbConfig.defaults().withHttpPort(70000));
        assertTrue(port.getMessage().contains("lsb.port") && port.getMessage().contains("65535"), port.getMessage());

        IllegalArgumentException poll = assertThrows(IllegalArgumentException.class,
                () -> LsbConfig.defaults().withRegistryPollInterval(Duration.ofMillis(1)));
        assertTrue(poll.getMessage().contains("lsb.poll-interval"), poll.getMessage());

        IllegalArgumentException window = assertThrows(IllegalArgumentException.class,
                () -> LsbConfig.defaults().withAssignmentWindow(Duration.ZERO));
        assertTrue(window.getMessage().contains("assignment-window"), window.getMessage());
    }

    @Test
    void aSlowPollStretchesTheReadTimeoutAndReadiness() {
        LsbConfig c = LsbConfig.defaults().withRegistryPollInterval(Duration.ofSeconds(10));

        assertEquals(Duration.ofSeconds(10), c.registryReadTimeout());
        assertEquals(Duration.ofSeconds(40), c.readinessStaleness());
    }
}
