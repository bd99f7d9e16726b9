package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.UserRestrictions.Kind;
import io.magpie.das.UserRestrictions.Restriction;
import io.magpie.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import io.magpie.testkit.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SenderMutesTest {

    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    private final Map<Long, Restriction> stored = new HashMap<>();
    private final List<Collection<Long>> queries = new ArrayList<>();
    private final MutableClock clock = new MutableClock(START.toEpochMilli());
    private final SenderMutes mutes = new SenderMutes(uids -> {
        queries.add(List.copyOf(uids));
        Map<Long, Restriction> out = new HashMap<>();
        uids.forEach(u -> {
            if (stored.containsKey(u)) {
                out.put(u, stored.get(u));
            }
        });
        return out;
    }, 100, Duration.ofSeconds(5), clock);

    @Test
    void aMutedSenderIsRefusedWithMutedNamingUntilWhenAndTheReason() {
        stored.put(1L, new Restriction(Kind.MUTE, START.plusSeconds(3600).toEpochMilli(), "flooding",
                START.toEpochMilli()));
        SendCommand send = Sends.command(1, 2, "a");
        mutes.prepare(List.of(send, Sends.command(3, 2, "b")));

        Optional<Rejection> refused = mutes.check(send);

        assertEquals(ErrorCode.MUTED, refused.orElseThrow().code());
        assertEquals("an operator muted you until 2026-03-01T11:00:00Z (reason: flooding); the message was not sent",
                refused.get().message());
        assertTrue(mutes.check(Sends.command(3, 2, "c")).isEmpty());
        assertEquals(List.of(List.of(1L, 3L)), queries, "one query for the batch's senders");
    }

    @Test
    void aSendersStateIsAskedOncePerTtlSoAMuteAppliesWithinIt() {
        SendCommand send = Sends.command(1, 2, "a");
        mutes.prepare(List.of(send));
        stored.put(1L, new Restriction(Kind.MUTE, 0, "", START.toEpochMilli()));

        clock.advance(Duration.ofSeconds(4));
        mutes.prepare(List.of(send));
        assertTrue(mutes.check(send).isEmpty(), "still the cached answer");
        clock.advance(Duration.ofSeconds(1));
        mutes.prepare(List.of(send));

        assertEquals("an operator muted you until an operator lifts it; the message was not sent",
                mutes.check(send).orElseThrow().message());
        assertEquals(2, queries.size());
    }

    @Test
    void aMuteWhoseTimePassedNoLongerRefuses() {
        stored.put(1L, new Restriction(Kind.MUTE, START.plusSeconds(2).toEpochMilli(), "", START.toEpochMilli()));
        SendCommand send = Sends.command(1, 2, "a");
        mutes.prepare(List.of(send));
        assertTrue(mutes.check(send).isPresent());

        clock.advance(Duration.ofSeconds(2));

        assertTrue(mutes.check(send).isEmpty(), "ended at its until, without asking MySQL again");
        assertEquals(1, queries.size());
    }
}
