package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.FriendRequestRecord.State;
import io.magpie.das.Friendships.Outcome;
import io.magpie.das.Friendships.Status;
import io.magpie.das.Relations.DirectPair;
import io.magpie.das.Relations.DirectRefusal;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.testkit.InfrastructureExtension;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Friend requests, the friend list by version, blocks and the send-path refusals on the real MariaDB. */
@ExtendWith(InfrastructureExtension.class)
class FriendshipsIT {

    private static Database database;
    private static AccountRepository accounts;
    private static Friendships friendships;
    private static Blocklist blocks;
    private static DirectMessagePolicies policies;
    private static Relations relations;
    /** A version source that runs BEHIND what is stored, to prove versions still rise per owner. */
    private static final AtomicLong lowVersions = new AtomicLong(0);
    private static final AtomicLong ids = new AtomicLong(90_000);
    private static final AtomicLong uids = new AtomicLong(70_000);

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2));
        accounts = new AccountRepository(database.dataSource());
        friendships = new Friendships(database.dataSource(), Clock.systemUTC(), lowVersions::incrementAndGet);
        blocks = new Blocklist(database.dataSource(), Clock.systemUTC());
        policies = new DirectMessagePolicies(database.dataSource(), Clock.systemUTC());
        relations = new Relations(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static long user() {
        long uid = uids.incrementAndGet();
        accounts.create(new Account(uid, "u" + uid, "h", "", 1));
        return uid;
    }

    @Test
    void aRequestAcceptedWritesBothRowsAndTheListSyncsByRisingVersionsRemovalsIncluded() {
        long a = user();
        long b = user();
        Outcome sent = friendships.request(ids.incrementAndGet(), a, b, "hi 🐦");
        assertEquals(Status.CREATED, sent.status());
        Outcome again = friendships.request(ids.incrementAndGet(), a, b, "hello again");
        assertEquals(Status.REFRESHED, again.status());
        assertEquals(sent.request().requestId(), again.request().requestId(), "one pending request per pair");
        assertEquals("hello again", friendships.find(sent.request().requestId()).orElseThrow().message());

        assertEquals(Status.NOT_FOUND, friendships.answer(sent.request().requestId(), a, true).status(),
                "only the recipient answers");
        Outcome accepted = friendships.answer(sent.request().requestId(), b, true);
        assertEquals(Status.DONE, accepted.status());
        assertEquals(State.ACCEPTED, accepted.request().state());
        assertEquals(List.of(b), relations.friends(a));
        assertEquals(List.of(a), relations.friends(b));
        assertEquals(Status.NOT_PENDING, friendships.answer(sent.request().requestId(), b, false).status());

        List<FriendChange> first = friendships.changesSince(a, 0, 10);
        assertEquals(1, first.size());
        long held = first.get(0).version();
        assertEquals(accepted.fromVersion(), held);
        assertEquals(List.of(), friendships.changesSince(a, held, 10), "nothing new since the held version");

        lowVersions.set(0); // the generator falls behind: versions must still pass the stored ones
        Outcome removed = friendships.remove(b, a);
        assertEquals(Status.DONE, removed.status());
        List<FriendChange> after = friendships.changesSince(a, held, 10);
        assertEquals(1, after.size(), "the removal syncs as a row");
        assertTrue(after.get(0).removed());
        assertTrue(after.get(0).version() > held, "versions rise per owner");
        assertEquals(List.of(), relations.friends(a));
        assertEquals(Status.NOT_FRIENDS, friendships.remove(b, a).status());
    }

    @Test
    void crossingRequestsAcceptEachOtherAndAnsweredPairsMayAskAgain() {
        long a = user();
        long b = user();
        Outcome first = friendships.request(ids.incrementAndGet(), a, b, "");
        Outcome crossing = friendships.request(ids.incrementAndGet(), b, a, "me too");
        assertEquals(Status.ACCEPTED_THEIRS, crossing.status());
        assertEquals(first.request().requestId(), crossing.request().requestId());
        assertEquals(List.of(b), relations.friends(a));
        assertEquals(Status.ALREADY_FRIENDS, friendships.request(ids.incrementAndGet(), a, b, "").status());

        long c = user();
        Outcome rejected = friendships.request(ids.incrementAndGet(), a, c, "");
        assertEquals(Status.DONE, friendships.answer(rejected.request().requestId(), c, false).status());
        Outcome cancelled = friendships.request(ids.incrementAndGet(), a, c, "please");
        assertEquals(Status.CREATED, cancelled.status(), "a rejected pair may ask again");
        assertEquals(1, friendships.pending(c).size());
        assertEquals(Status.DONE, friendships.cancel(cancelled.request().requestId(), a).status());
        assertEquals(List.of(), friendships.pending(c));
        assertEquals(List.of(), relations.friends(c));
    }

    @Test
    void oneQueryTellsWhichPairsAreRefusedBlockedBeforeNotFriend() {
        long sender = user();
        long blocker = user();
        long friendsOnly = user();
        long friendOfIt = user();
        long open = user();
        assertTrue(blocks.block(blocker, sender));
        assertFalse(blocks.block(blocker, sender), "blocking twice changes nothing");
        assertTrue(policies.set(friendsOnly, DirectMessagePolicy.FRIENDS));
        assertEquals(DirectMessagePolicy.FRIENDS, policies.of(friendsOnly).orElseThrow());
        Outcome r = friendships.request(ids.incrementAndGet(), friendOfIt, friendsOnly, "");
        friendships.answer(r.request().requestId(), friendsOnly, true);
        assertTrue(policies.set(blocker, DirectMessagePolicy.FRIENDS));

        Map<DirectPair, DirectRefusal> refused = relations.directRefusals(List.of(
                new DirectPair(sender, blocker), new DirectPair(sender, friendsOnly),
                new DirectPair(friendOfIt, friendsOnly), new DirectPair(sender, open),
                new DirectPair(blocker, sender), new DirectPair(sender, 999_999_999L)));

        assertEquals(Map.of(new DirectPair(sender, blocker), DirectRefusal.BLOCKED,
                new DirectPair(sender, friendsOnly), DirectRefusal.NOT_FRIEND), refused);
        assertTrue(blocks.unblock(blocker, sender));
        assertEquals(List.of(), blocks.list(blocker));
        assertEquals(Map.of(new DirectPair(sender, blocker), DirectRefusal.NOT_FRIEND),
                relations.directRefusals(List.of(new DirectPair(sender, blocker))));
    }
}
