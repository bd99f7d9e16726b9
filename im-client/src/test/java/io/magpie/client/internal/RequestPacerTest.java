package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pacer on an embedded event loop whose time only moves when the test says so. */
class RequestPacerTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Integer> written = new ArrayList<>();
    private final RequestPacer<Integer> pacer = new RequestPacer<>(channel.eventLoop(), Comparator.<Integer>naturalOrder(),
            written::add);

    RequestPacerTest() {
        channel.freezeTime();
    }

    @Test
    void afterABusyPauseEveryWaitingRequestGoesAtOnceInOrder() {
        pacer.pause(Duration.ofMillis(1000), false);
        for (int i = 5; i >= 1; i--) {
            pacer.submit(i);
        }
        advance(999);
        assertTrue(written.isEmpty(), "held during the pause: " + written);
        advance(1);
        assertEquals(List.of(1, 2, 3, 4, 5), written, "all released together once the pause is over");
        pacer.submit(6);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), written, "nobody waits: written at once");
    }

    @Test
    void aRefusalDuringABusyReleaseHoldsWhatIsLeftForTheNewPause() {
        List<RequestPacer<Integer>> self = new ArrayList<>();
        RequestPacer<Integer> refusing = new RequestPacer<>(channel.eventLoop(), Comparator.<Integer>naturalOrder(),
                i -> {
                    written.add(i);
                    if (i == 2) {
                        self.get(0).pause(Duration.ofMillis(500), false); // the gate refused it: busy again
                    }
                });
        self.add(refusing);
        refusing.pause(Duration.ofMillis(100), false);
        refusing.submit(1);
        refusing.submit(2);
        refusing.submit(3);
        advance(100);
        assertEquals(List.of(1, 2), written);
        advance(500);
        assertEquals(List.of(1, 2, 3), written);
    }

    @Test
    void afterARateLimitPauseWaitingRequestsGoOnePerRetryAfter() {
        pacer.pause(Duration.ofMillis(300), true);
        pacer.submit(1);
        pacer.submit(2);
        pacer.submit(3);
        advance(300);
        assertEquals(List.of(1), written, "one token after the first retry-after");
        advance(300);
        assertEquals(List.of(1, 2), written);
        pacer.submit(4);
        advance(300);
        advance(300);
        assertEquals(List.of(1, 2, 3, 4), written, "new requests queue behind the waiting ones");
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }
}
