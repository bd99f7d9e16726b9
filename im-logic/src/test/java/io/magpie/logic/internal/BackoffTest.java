package io.magpie.logic.internal;

import io.magpie.bus.Backoff;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheMaxAndStartsOverAfterASuccess() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));

        assertEquals(100, b.nextDelayMillis());
        assertEquals(200, b.nextDelayMillis());
        assertEquals(400, b.nextDelayMillis());
        assertEquals(500, b.nextDelayMillis());
        assertEquals(500, b.nextDelayMillis());
        b.reset();
        assertEquals(100, b.nextDelayMillis());
    }
}
