package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.DrainReport;
import io.magpie.gate.DrainSettings;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Reconnect;
import io.magpie.testkit.MutableClock;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The paced RECONNECT batches of a draining gate (docs/PROTOCOL.md §9.8), tick by tick on a hand-moved clock. */
class GateDrainerTest {

    private final MutableClock clock = new MutableClock(1_000_000);
    private final SessionTable sessions = new SessionTable();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    /** Hosts the drainer's schedule; its tasks run only when the test says so. */
    private final EmbeddedChannel loop = new EmbeddedChannel();

    private void connect(int count) {
        for (int i = 0; i < count; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            channels.add(channel);
            sessions.add(new Session(channels.size(), 100 + channels.size(), "phone", Platform.ANDROID, "gate-a", 0,
                    channel), 0);
            open.incrementAndGet();
        }
    }

    private GateDrainer drainer(int perSecond) {
        return new GateDrainer("gate-a", sessions, open::get,
                new DrainSettings(perSecond, Duration.ofSeconds(30), Duration.ofSeconds(2)), clock, loop.eventLoop());
    }

    private int told() {
        int n = 0;
        for (EmbeddedChannel channel : channels) {
            if (channel.outboundMessages().size() > 0) {
                n++;
            }
        }
        return n;
    }

    @Test
    void sendsOneReconnectPerSessionInBatchesOfTheRatePerTickWithADelayWithinTheTick() throws Exception {
        connect(25);
        GateDrainer drainer = drainer(100); // 10 per 100 ms tick
        CompletableFuture<DrainReport> done = drainer.start("maintenance");

        loop.runPendingTasks(); // the start; the first batch waits for the LSBs to see DRAINING
        assertEquals(0, told());
        drainer.tick();
        assertEquals(10, told());
        drainer.tick();
        assertEquals(20, told());
        drainer.tick();
        drainer.tick();
        assertEquals(25, told(), "every session told, none twice");
        assertEquals(25, drainer.told());

        for (EmbeddedChannel channel : channels) {
            Frame frame = channel.readOutbound();
            assertTrue(frame.is(Command.RECONNECT), "RECONNECT, got " + frame);
            assertEquals(0, frame.requestId());
            Reconnect body = Reconnect.parseFrom(frame.body());
            assertEquals("maintenance", body.getReason());
            assertTrue(body.getDelayMs() >= 0 && body.getDelayMs() < 100, "delay within the tick: " + body.getDelayMs());
            assertNull(channel.readOutbound(), "told once");
        }
        assertFalse(done.isDone(), "clients still connected");

        open.set(0); // they moved
        drainer.tick();
        DrainReport report = done.getNow(null);
        assertEquals(25, report.reconnectsSent());
        assertEquals(0, report.closedAtDeadline());
    }

    @Test
    void aSlowRateAccumulatesAcrossTicksAndASessionThatLogsInDuringTheDrainIsToldToo() {
        connect(1);
        GateDrainer drainer = drainer(5); // one per 200 ms
        drainer.start("maintenance");
        loop.runPendingTasks();
        drainer.tick();
        assertEquals(0, told(), "half a token after the first tick");
        drainer.tick();
        assertEquals(1, told());

        connect(1); // logged in through a stale LSB answer
        drainer.tick();
        drainer.tick();
        assertEquals(2, told());
    }

    @Test
    void theDeadlineEndsTheDrainWithTheConnectionsStillOpen() {
        connect(3);
        GateDrainer drainer = drainer(100);
        CompletableFuture<DrainReport> done = drainer.start("maintenance");
        loop.runPendingTasks();
        drainer.tick();
        open.set(2); // one moved, two ignore RECONNECT (old clients)
        clock.advance(Duration.ofSeconds(30));
        drainer.tick();
        DrainReport report = done.getNow(null);
        assertEquals(2, report.closedAtDeadline());
        assertEquals(3, report.reconnectsSent());
        assertEquals(30_000, report.elapsedMillis());
    }
}
