package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.client.MessageListener;
import io.magpie.client.PresenceSetting;
import io.magpie.client.Transport;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PresenceState;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Presence and typing end to end (docs/PROTOCOL.md §9.14, §9.15) through the Java SDK against every role in
 * this JVM on the real embedded MariaDB, Redis and Kafka. Friendships and blocks are written straight into
 * their V6 tables (the friend API is another part of the issue); the offline grace is 2 s and the
 * announcement window 0 so that the tests are quick, and gates refresh their routes every second so that a
 * Redis loss heals quickly.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceTypingIT {

    private static final String PASSWORD = "correct horse battery";
    private static final long WAIT = 30;

    private MagpieNode node;
    private Infrastructure infra;
    private TestIsolation isolation;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        this.infra = infra;
        this.isolation = isolation;
        node = TestNodes.allRoles(infra, isolation, "presence-typing", Map.of("gate.route-refresh", "1s", "gate.registry-refresh", "1s",
                "logic.presence.offline-grace", "2s", "logic.presence.min-interval", "0s"));
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aFriendGoingOnlineOnTwoPlatformsAndThenOfflineIsPushedToTheWatcherWithDevicesAndLastSeen() throws Exception {
        Device watcher = device("pres_watcher", "w-phone", Transport.TCP);
        long friend = register("pres_friend");
        befriend(watcher.uid, friend);

        Device phone = device("pres_friend", "f-phone", Transport.TCP);
        PresenceState first = watcher.awaitPresence(s -> s.getUid() == friend && s.getOnline());
        assertEquals(1, first.getDeviceCount());
        assertEquals(List.of(Platform.ANDROID), first.getPlatformsList());

        Device web = device("pres_friend", "f-web", Transport.WEBSOCKET);
        PresenceState both = watcher.awaitPresence(s -> s.getUid() == friend && s.getDeviceCount() == 2);
        assertTrue(both.getOnline());
        assertEquals(List.of(Platform.ANDROID, Platform.WEB), both.getPlatformsList(), "ascending, no repeats");

        PresenceState queried = watcher.client.presence().query(friend).get(WAIT, SECONDS).get(0);
        assertTrue(queried.getOnline());
        assertEquals(2, queried.getDeviceCount());
        assertEquals(0, queried.getLastSeen(), "no last seen while online");

        long before = System.currentTimeMillis();
        phone.client.disconnect().get(WAIT, SECONDS);
        web.client.disconnect().get(WAIT, SECONDS);
        PresenceState offline = watcher.awaitPresence(s -> s.getUid() == friend && !s.getOnline());
        assertEquals(0, offline.getDeviceCount());
        assertTrue(offline.getPlatformsList().isEmpty());
        assertTrue(offline.getLastSeen() >= before - 1000, "last seen is when the last device left: "
                + offline.getLastSeen());
        await().atMost(WAIT, SECONDS).until(() -> {
            PresenceState now = watcher.client.presence().query(friend).get(WAIT, SECONDS).get(0);
            return !now.getOnline() && now.getLastSeen() == offline.getLastSeen();
        });
    }

    @Test
    void aReconnectWithinTheGraceAnnouncesNoOfflineAndAStatusChangeIsPushed() throws Exception {
        Device watcher = device("grace_watcher", "w-phone", Transport.TCP);
        long friend = register("grace_friend");
        befriend(watcher.uid, friend);
        Device f = device("grace_friend", "f-phone", Transport.TCP);
        watcher.awaitPresence(s -> s.getUid() == friend && s.getOnline());
        int seen = watcher.presence.size();

        f.client.disconnect().get(WAIT, SECONDS);
        f.client.connect(f.credentials).get(WAIT, SECONDS);
        // the status change is announced after whatever the reconnect announced: it orders the check below
        Thread.sleep(2500); // let the 2 s offline grace pass (a wait for the system, not a timing assertion)
        PresenceSetting stored = f.client.presence().setStatusText("on the train").get(WAIT, SECONDS);
        assertEquals("on the train", stored.statusText());
        watcher.awaitPresence(s -> s.getUid() == friend && s.getStatusText().equals("on the train"));

        List<PresenceState> since = watcher.presence.subList(seen, watcher.presence.size());
        assertTrue(since.stream().filter(s -> s.getUid() == friend).allMatch(PresenceState::getOnline),
                "a reconnect within the grace must not announce offline: " + since);
    }

    @Test
    void hiddenUsersAndUsersWhoBlockedTheCallerReadAsOfflineWithNothingElse() throws Exception {
        Device asker = device("vis_asker", "a-phone", Transport.TCP);
        Device hidden = device("vis_hidden", "h-phone", Transport.TCP);
        Device blocker = device("vis_blocker", "b-phone", Transport.TCP);
        hidden.client.presence().setStatusText("busy").get(WAIT, SECONDS);
        blocker.client.presence().setStatusText("secret").get(WAIT, SECONDS);
        assertTrue(asker.client.presence().query(hidden.uid).get(WAIT, SECONDS).get(0).getOnline());

        PresenceSetting stored = hidden.client.presence().setHidden(true).get(WAIT, SECONDS);
        assertTrue(stored.hidden());
        assertEquals("busy", stored.statusText(), "an absent field keeps its value");
        block(blocker.uid, asker.uid);

        List<PresenceState> states = asker.client.presence().query(hidden.uid, blocker.uid).get(WAIT, SECONDS);
        assertEquals(2, states.size());
        assertFalse(states.get(0).getOnline(), "hidden reads as offline");
        assertEquals(0, states.get(0).getLastSeen());
        assertEquals("busy", states.get(0).getStatusText(), "a hidden user's status text stays visible");
        assertFalse(states.get(1).getOnline(), "a blocker reads as offline");
        assertEquals("", states.get(1).getStatusText(), "and shows the blocked user nothing else");
        // someone the blocker did not block sees them
        assertTrue(hidden.client.presence().query(blocker.uid).get(WAIT, SECONDS).get(0).getOnline());
    }

    @Test
    void anExplicitWatchListBringsChangesOfANonFriendAndIsCapped() throws Exception {
        Device watcher = device("list_watcher", "w-phone", Transport.TCP);
        long stranger = register("list_stranger");
        assertEquals(1, watcher.client.presence().watch(List.of(stranger)).get(WAIT, SECONDS));

        device("list_stranger", "s-phone", Transport.TCP);
        PresenceState online = watcher.awaitPresence(s -> s.getUid() == stranger && s.getOnline());
        assertEquals(1, online.getDeviceCount());

        // a list over the cap (docs/PROTOCOL.md §9.14: 500) is refused before anything is sent
        List<Long> tooMany = new ArrayList<>();
        for (long i = 1; i <= 501; i++) {
            tooMany.add(9_100_000_000L + i);
        }
        Throwable refused = assertFailsWith(() -> watcher.client.presence().watch(tooMany).get(WAIT, SECONDS));
        assertInstanceOf(IllegalArgumentException.class, refused);
        assertEquals(java.util.Set.of(stranger), watcher.client.presence().watching(), "the old list stays");
    }

    @Test
    void presenceIsReadCorrectlyAgainAfterRedisLostEveryKey() throws Exception {
        Device asker = device("redis_asker", "a-phone", Transport.TCP);
        Device user = device("redis_user", "u-phone", Transport.TCP);
        assertTrue(asker.client.presence().query(user.uid).get(WAIT, SECONDS).get(0).getOnline());

        assertTrue(deleteRedisKeys() > 0);

        // the gates re-register their sessions' routes every gate.route-refresh (1 s here), and themselves in
        // the gate registry every gate.registry-refresh (1 s): until then an answer may not find its way back
        await().atMost(WAIT, SECONDS).ignoreExceptions().until(() -> {
            PresenceState s = asker.client.presence().query(user.uid).get(3, SECONDS).get(0);
            return s.getOnline() && s.getDeviceCount() == 1 && s.getPlatformsList().equals(List.of(Platform.ANDROID));
        });
    }

    @Test
    void typingReachesOnlyTheOtherMembersOnlineDevicesNeverTheSenderOrANonMember() throws Exception {
        Device a = device("typ_a", "a-phone", Transport.TCP);
        Device aWeb = device("typ_a", "a-web", Transport.WEBSOCKET);
        Device b = device("typ_b", "b-phone", Transport.TCP);
        Device c = device("typ_c", "c-phone", Transport.TCP);
        Device outsider = device("typ_x", "x-phone", Transport.TCP);
        long groupId = new AccountClient(config("a-phone", Transport.TCP)).createGroup(a.credentials, "typists",
                List.of(b.uid, c.uid));
        String group = "g_" + groupId;
        String single = single(a.uid, b.uid);

        a.client.typing().send(single).get(WAIT, SECONDS);
        b.awaitTyping(single + " " + a.uid);

        a.client.typing().send(group).get(WAIT, SECONDS);
        b.awaitTyping(group + " " + a.uid);
        c.awaitTyping(group + " " + a.uid);

        // a non-member is refused and nobody hears of it
        outsider.client.typing().send(group).get(WAIT, SECONDS);
        MagpieErrorException refused = outsider.awaitError();
        assertEquals(ErrorCode.FORBIDDEN, refused.code());

        // barrier: c's next signal reaches a after everything above
        c.client.typing().send(group).get(WAIT, SECONDS);
        a.awaitTyping(group + " " + c.uid);
        aWeb.awaitTyping(group + " " + c.uid);
        assertTrue(a.typing.stream().noneMatch(t -> t.endsWith(" " + a.uid)), "never to the sender: " + a.typing);
        assertTrue(aWeb.typing.stream().noneMatch(t -> t.endsWith(" " + a.uid)), "nor the sender's other devices");
        assertTrue(outsider.typing.isEmpty(), "never to a non-member: " + outsider.typing);
        assertFalse(b.typing.contains(group + " " + outsider.uid));
    }

    @Test
    void aBlockedUserDoesNotSeeTheBlockersTypingNorPresence() throws Exception {
        Device blocker = device("tb_blocker", "b-phone", Transport.TCP);
        Device blocked = device("tb_blocked", "d-phone", Transport.TCP);
        befriend(blocker.uid, blocked.uid);
        block(blocker.uid, blocked.uid);
        String single = single(blocker.uid, blocked.uid);

        blocker.client.typing().send(single).get(WAIT, SECONDS);
        blocked.client.typing().send(single).get(WAIT, SECONDS); // blocked types too: the blocker hears nothing
        assertFalse(blocked.client.presence().query(blocker.uid).get(WAIT, SECONDS).get(0).getOnline());

        // barrier: a third user's signal in a group of all three arrives after the one-to-one ones
        Device third = device("tb_third", "t-phone", Transport.TCP);
        long groupId = new AccountClient(config("t-phone", Transport.TCP)).createGroup(third.credentials, "trio",
                List.of(blocker.uid, blocked.uid));
        third.client.typing().send("g_" + groupId).get(WAIT, SECONDS);
        blocked.awaitTyping("g_" + groupId + " " + third.uid);
        blocker.awaitTyping("g_" + groupId + " " + third.uid);
        assertFalse(blocked.typing.contains(single + " " + blocker.uid), "blocked saw the blocker type");
        assertFalse(blocker.typing.contains(single + " " + blocked.uid), "the blocker saw the blocked type");
        // the blocker's presence change is not pushed to the user they blocked (friends or not)
        assertTrue(blocked.presence.stream().noneMatch(s -> s.getUid() == blocker.uid), blocked.presence.toString());
    }

    @Test
    void aNewFriendshipHandsBothSidesTheOthersStateThroughTheSdk() throws Exception {
        Device asker = device("nf_asker", "a-phone", Transport.TCP);
        Device answerer = device("nf_answerer", "b-web", Transport.WEBSOCKET);

        long requestId = asker.client.friends().request(answerer.uid, "").get(WAIT, SECONDS).requestId();
        answerer.client.friends().accept(requestId).get(WAIT, SECONDS);

        await().atMost(WAIT, SECONDS).until(() -> asker.presence.stream().anyMatch(p -> p.getUid() == answerer.uid
                && p.getOnline() && p.getPlatformsList().equals(List.of(Platform.WEB))));
        await().atMost(WAIT, SECONDS).until(() -> answerer.presence.stream().anyMatch(p -> p.getUid() == asker.uid
                && p.getOnline()));
    }

    @Test
    void aStrangersTypingDoesNotReachAUserWhoTakesMessagesFromFriendsOnly() throws Exception {
        Device picky = device("tf_picky", "p-phone", Transport.TCP);
        Device stranger = device("tf_stranger", "s-phone", Transport.TCP);
        Device friend = device("tf_friend", "f-phone", Transport.TCP);
        befriend(picky.uid, friend.uid);
        try (Connection c = mysql(); PreparedStatement ps = c.prepareStatement(
                "UPDATE account SET dm_policy = 1 WHERE uid = ?")) {
            ps.setLong(1, picky.uid);
            ps.executeUpdate();
        }

        stranger.client.typing().send(single(stranger.uid, picky.uid)).get(WAIT, SECONDS);
        friend.client.typing().send(single(friend.uid, picky.uid)).get(WAIT, SECONDS);
        picky.awaitTyping(single(friend.uid, picky.uid) + " " + friend.uid);
        // barrier: picky's signal in the same conversation is processed after the stranger's (one key, one
        // partition), and the stranger, who takes messages from anyone, gets it
        picky.client.typing().send(single(stranger.uid, picky.uid)).get(WAIT, SECONDS);
        stranger.awaitTyping(single(stranger.uid, picky.uid) + " " + picky.uid);
        assertFalse(picky.typing.contains(single(stranger.uid, picky.uid) + " " + stranger.uid),
                "a stranger's typing reached a friends-only user: " + picky.typing);
    }

    /**
     * The bounded fan-out at size: a user with 5,000 friends (4,997 of them never connected, as most of a large
     * audience is) comes online; the 3 connected friends get the notice. The time from LOGIN_ACK to the last of
     * the 3 notices is printed (it covers the friend query, the watcher set, 10 push tasks of 500 and the
     * router's route lookups for all 5,000); the assertion is on correctness only.
     */
    @Test
    void aUserWithFiveThousandWatchersIsAnnouncedToEveryConnectedOne() throws Exception {
        long popular = register("fan_popular");
        List<Device> online = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            online.add(device("fan_watcher" + i, "w" + i, Transport.TCP));
        }
        List<Long> watchers = new ArrayList<>();
        online.forEach(d -> watchers.add(d.uid));
        for (long i = 0; watchers.size() < 5000; i++) {
            watchers.add(9_200_000_000L + i);
        }
        befriendAll(popular, watchers);

        long start = System.nanoTime();
        device("fan_popular", "p-phone", Transport.TCP);
        long loggedIn = System.nanoTime();
        for (Device d : online) {
            d.awaitPresence(s -> s.getUid() == popular && s.getOnline());
        }
        long done = System.nanoTime();
        System.out.printf("[presence fan-out] 5000 watchers: login %d ms, login ack -> last of 3 notices %d ms%n",
                (loggedIn - start) / 1_000_000, (done - loggedIn) / 1_000_000);
    }

    // ---- helpers

    private static String single(long a, long b) {
        return "s_" + Math.min(a, b) + "_" + Math.max(a, b);
    }

    private static Throwable assertFailsWith(org.junit.jupiter.api.function.Executable call) {
        try {
            call.execute();
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    private Connection mysql() throws Exception {
        return DriverManager.getConnection(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword());
    }

    private void befriend(long a, long b) throws Exception {
        befriendAll(a, List.of(b));
    }

    /** Friendship rows both ways, as the friend API writes them (V6). */
    private void befriendAll(long uid, List<Long> friends) throws Exception {
        long now = System.currentTimeMillis();
        try (Connection c = mysql(); PreparedStatement ps = c.prepareStatement("INSERT INTO friend (owner_uid, "
                + "friend_uid, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
            for (long friend : friends) {
                for (long[] pair : new long[][] {{uid, friend}, {friend, uid}}) {
                    ps.setLong(1, pair[0]);
                    ps.setLong(2, pair[1]);
                    ps.setLong(3, now);
                    ps.setLong(4, now);
                    ps.setLong(5, now);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    private void block(long owner, long blocked) throws Exception {
        try (Connection c = mysql(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO user_block (owner_uid, blocked_uid, created_at) VALUES (?, ?, ?)")) {
            ps.setLong(1, owner);
            ps.setLong(2, blocked);
            ps.setLong(3, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    /** Loses this test's Redis data as a FLUSHALL would (only our prefix: the server is shared). */
    private long deleteRedisKeys() {
        RedisClient redis = RedisClient.create(infra.redisUri());
        try (StatefulRedisConnection<String, String> c = redis.connect()) {
            long deleted = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor,
                        ScanArgs.Builder.matches(isolation.redisKeyPrefix() + "*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    deleted += c.sync().del(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return deleted;
        } finally {
            redis.shutdown();
        }
    }

    private ClientConfig config(String deviceId, Transport transport) {
        return ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + node.lsbPort())
                .transport(transport)
                .deviceId(deviceId)
                .platform(transport == Transport.WEBSOCKET ? Platform.WEB : Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(WAIT))
                .build();
    }

    private long register(String user) {
        AccountClient accounts = new AccountClient(config("registrar", Transport.TCP));
        try {
            return accounts.register(user, PASSWORD, user);
        } catch (io.magpie.client.MagpieApiException e) {
            if (e.status() != 409) {
                throw e;
            }
            return accounts.login(user, PASSWORD, "registrar", Platform.ANDROID).uid();
        }
    }

    private Device device(String user, String deviceId, Transport transport) throws Exception {
        register(user);
        ClientConfig config = config(deviceId, transport);
        Credentials credentials = new AccountClient(config).login(user, PASSWORD, deviceId,
                transport == Transport.WEBSOCKET ? Platform.WEB : Platform.ANDROID);
        MagpieClient client = new MagpieClient(config);
        clients.add(client);
        Device device = new Device(credentials, client);
        client.addListener(device);
        client.presence().addListener(device.presence::add);
        client.typing().addListener((conversation, uid) -> device.typing.add(conversation + " " + uid));
        client.connect(credentials).get(WAIT, SECONDS);
        return device;
    }

    /** One logged-in device and what it was told. */
    private static final class Device implements MessageListener {
        final long uid;
        final Credentials credentials;
        final MagpieClient client;
        final List<PresenceState> presence = new CopyOnWriteArrayList<>();
        final List<String> typing = new CopyOnWriteArrayList<>();
        final List<MagpieException> errors = new CopyOnWriteArrayList<>();

        Device(Credentials credentials, MagpieClient client) {
            this.uid = credentials.uid();
            this.credentials = credentials;
            this.client = client;
        }

        PresenceState awaitPresence(java.util.function.Predicate<PresenceState> match) {
            await().atMost(WAIT, SECONDS).until(() -> presence.stream().anyMatch(match));
            return presence.stream().filter(match).reduce((x, y) -> y).orElseThrow();
        }

        void awaitTyping(String entry) {
            await().atMost(WAIT, SECONDS).until(() -> typing.contains(entry));
        }

        MagpieErrorException awaitError() {
            await().atMost(WAIT, SECONDS).until(() -> errors.stream().anyMatch(MagpieErrorException.class::isInstance));
            return (MagpieErrorException) errors.stream().filter(MagpieErrorException.class::isInstance).findFirst()
                    .orElseThrow();
        }

        @Override
        public void onMessage(io.magpie.protocol.proto.Message message) {
        }

        @Override
        public void onError(MagpieException error) {
            errors.add(error);
        }
    }
}
