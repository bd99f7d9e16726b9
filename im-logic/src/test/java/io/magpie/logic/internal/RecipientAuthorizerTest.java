package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.Relations.DirectPair;
import io.magpie.das.Relations.DirectRefusal;
import io.magpie.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecipientAuthorizerTest {

    private final Set<Long> accounts = new HashSet<>(Set.of(1L, 2L, 3L));
    private final List<Long> asked = new ArrayList<>();
    private final Map<DirectPair, DirectRefusal> refusals = new HashMap<>();
    private final List<Set<DirectPair>> ruleQueries = new ArrayList<>();
    private final RecipientAuthorizer authorizer = new RecipientAuthorizer(uid -> {
        asked.add(uid);
        return accounts.contains(uid);
    }, 1);

    /** Reads the batch's pairs as SendBatchProcessor does (with its dedupe) from {@link #refusals}, and prepares. */
    private void prepare(List<SendCommand> batch) {
        Set<DirectPair> pairs = RecipientAuthorizer.pairsOf(batch);
        if (!pairs.isEmpty()) {
            ruleQueries.add(Set.copyOf(pairs));
        }
        Map<DirectPair, DirectRefusal> read = new HashMap<>(refusals);
        read.keySet().retainAll(pairs);
        authorizer.prepare(pairs, read);
    }

    private Optional<Rejection> checkAlone(SendCommand c) {
        prepare(List.of(c));
        return authorizer.check(c);
    }

    @Test
    void anExistingTargetIsAllowedAndRememberedAnUnknownOneIsAskedAgain() {
        assertEquals(Optional.empty(), checkAlone(Sends.command(1, 2, "a")));
        assertEquals(Optional.empty(), checkAlone(Sends.command(1, 2, "b")));

        Optional<Rejection> refused = checkAlone(Sends.command(1, 9, "c"));
        assertEquals(ErrorCode.NOT_FOUND, refused.orElseThrow().code());
        assertTrue(refused.get().message().contains("user 9 does not exist"));
        accounts.add(9L); // registered meanwhile
        assertEquals(Optional.empty(), checkAlone(Sends.command(1, 9, "d")));

        assertEquals(List.of(2L, 9L, 9L), asked);
    }

    @Test
    void theCacheIsBounded() {
        checkAlone(Sends.command(1, 2, "a"));
        checkAlone(Sends.command(1, 3, "b")); // evicts 2 (size 1)
        checkAlone(Sends.command(1, 2, "c"));

        assertEquals(List.of(2L, 3L, 2L), asked);
    }

    @Test
    void aBatchAsksTheRulesOnceForAllItsOneToOnePairsAndRefusesBlockedAndNonFriendSenders() {
        refusals.put(new DirectPair(1, 2), DirectRefusal.BLOCKED);
        refusals.put(new DirectPair(3, 2), DirectRefusal.NOT_FRIEND);
        SendCommand blocked = Sends.command(1, 2, "a");
        SendCommand stranger = Sends.command(3, 2, "b");
        SendCommand allowed = Sends.command(2, 1, "c");
        SendCommand group = Sends.groupCommand(1, 77, "g");

        prepare(List.of(blocked, stranger, allowed, group));

        assertEquals(List.of(Set.of(new DirectPair(1, 2), new DirectPair(3, 2), new DirectPair(2, 1))), ruleQueries,
                "one query for the batch's one-to-one pairs, the group send left out");
        Rejection b = authorizer.check(blocked).orElseThrow();
        assertEquals(ErrorCode.BLOCKED, b.code());
        assertTrue(b.message().contains("blocked you"), b.message());
        Rejection n = authorizer.check(stranger).orElseThrow();
        assertEquals(ErrorCode.NOT_FRIEND, n.code());
        assertTrue(n.message().contains("friends only"), n.message());
        assertEquals(Optional.empty(), authorizer.check(allowed));
    }

    @Test
    void aMessageToOneselfIsNotAskedAboutAndASendThatWasNotPreparedIsAnError() {
        prepare(List.of(Sends.command(1, 1, "self")));
        assertEquals(List.of(), ruleQueries, "no pair to ask about");
        assertEquals(Optional.empty(), authorizer.check(Sends.command(1, 1, "self")));

        assertThrows(IllegalStateException.class, () -> authorizer.check(Sends.command(1, 2, "unprepared")));
    }
}
