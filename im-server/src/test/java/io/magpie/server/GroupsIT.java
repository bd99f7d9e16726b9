package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.GroupEvents;
import io.magpie.client.GroupJoinRequestsPage;
import io.magpie.client.GroupListener;
import io.magpie.client.GroupMembersPage;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MessageListener;
import io.magpie.client.Transport;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.GroupAck;
import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.GroupEventType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Groups end to end (docs/PROTOCOL.md §9.16) through the Java SDK, the gate, Kafka and every role in this JVM on
 * the real embedded MariaDB, Redis and Kafka: group changes are GROUP commands whose SYSTEM messages reach the
 * members' devices, and a group of 10,000 members is built in batches of 500 and messaged.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupsIT {

    private static final String PASSWORD = "correct horse battery";
    private static final int LARGE = 10_000;

    private MagpieNode node;
    private Database database;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        node = TestNodes.allRoles(infra, isolation, "groups",
                Map.of("logic.max-group-members", String.valueOf(LARGE)));
        database = Database.open(MysqlConfig.of(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void changesReachTheMembersAsSystemMessagesAndAKickedMemberGetsNothingAfterTheKick() throws Exception {
        Device owner = device("g_owner", Transport.TCP);
        Device alice = device("g_alice", Transport.WEBSOCKET);
        Device bob = device("g_bob", Transport.TCP);
        long gid = owner.client.groups().create("birds", List.of(alice.uid)).get(20, SECONDS);
        String conv = "g_" + gid;

        GroupAck invited = owner.client.groups().invite(gid, List.of(bob.uid)).get(20, SECONDS);
        assertEquals(2, invited.getSeq(), "after GROUP_CREATED at seq 1");
        GroupEvent seenByBob = bob.awaitEvent(conv, invited.getSeq());
        assertEquals(GroupEventType.MEMBERS_INVITED, seenByBob.getType());
        assertEquals(List.of(bob.uid), seenByBob.getTargetUidsList());
        assertEquals(GroupEventType.MEMBERS_INVITED, alice.awaitEvent(conv, invited.getSeq()).getType());

        MagpieErrorException notAdmin = refused(() -> alice.client.groups().kick(gid, List.of(bob.uid))
                .get(20, SECONDS));
        assertEquals(ErrorCode.NOT_ADMIN, notAdmin.code());

        GroupAck kicked = owner.client.groups().kick(gid, List.of(bob.uid)).get(20, SECONDS);
        assertEquals(GroupEventType.MEMBERS_KICKED, bob.awaitEvent(conv, kicked.getSeq()).getType());
        long after = owner.client.sendText(ConversationType.GROUP, gid, "bob is gone").get(20, SECONDS).getSeq();
        alice.awaitMessage(conv, after);
        assertEquals(ErrorCode.FORBIDDEN, refused(() -> bob.client.sendText(ConversationType.GROUP, gid, "hey?")
                .get(20, SECONDS)).code());
        assertTrue(bob.received.stream().noneMatch(m -> m.getConversationId().equals(conv) && m.getSeq() > kicked
                .getSeq()), "nothing after the kick reaches bob");
        assertFalse(bob.client.pull(conv, 1, 0, 50).get(20, SECONDS).getMessagesList().stream()
                .anyMatch(m -> m.getSeq() > kicked.getSeq()), "nor can bob pull it");
    }

    @Test
    void aJoinRequestReachesTheAdminsListenerAndIsListedAndApproved() throws Exception {
        Device owner = device("j_owner", Transport.TCP);
        Device asker = device("j_asker", Transport.WEBSOCKET);
        List<long[]> requests = new CopyOnWriteArrayList<>();
        owner.client.groups().addListener(new GroupListener() {
            @Override
            public void onJoinRequest(long groupId, long requesterUid, String message) {
                requests.add(new long[] {groupId, requesterUid, message.equals("let me in") ? 1 : 0});
            }
        });
        long gid = owner.client.groups().create("club", List.of()).get(20, SECONDS);

        GroupAck pending = asker.client.groups().join(gid, "let me in").get(20, SECONDS);
        assertTrue(pending.getPending(), "the default policy waits for an admin");
        await().atMost(20, SECONDS).until(() -> !requests.isEmpty());
        assertArrayEquals(new long[] {gid, asker.uid, 1}, requests.get(0));
        GroupJoinRequestsPage page = owner.client.groups().joinRequests(gid, 0, 50).get(20, SECONDS);
        assertEquals(List.of(asker.uid), page.requests().stream().map(GroupJoinRequestsPage.Request::uid).toList());

        GroupAck approved = owner.client.groups().approve(gid, asker.uid).get(20, SECONDS);
        assertEquals(GroupEventType.MEMBER_JOINED, asker.awaitEvent("g_" + gid, approved.getSeq()).getType());
        assertTrue(owner.client.groups().joinRequests(gid, 0, 50).get(20, SECONDS).requests().isEmpty());
    }

    @Test
    void anAdminMutedByTheOwnerCannotSendWhileMuteAllSparesTheOtherAdmins() throws Exception {
        Device owner = device("m_owner", Transport.TCP);
        Device admin = device("m_admin", Transport.TCP);
        Device other = device("m_other", Transport.TCP);
        long gid = owner.client.groups().create("mutes", List.of(admin.uid, other.uid)).get(20, SECONDS);
        owner.client.groups().setAdmin(gid, admin.uid, true).get(20, SECONDS);
        owner.client.groups().setAdmin(gid, other.uid, true).get(20, SECONDS);
        owner.client.groups().muteAll(gid, true).get(20, SECONDS);
        other.client.sendText(ConversationType.GROUP, gid, "admins speak under mute all").get(20, SECONDS);

        owner.client.groups().mute(gid, admin.uid, Duration.ofMinutes(10)).get(20, SECONDS);
        assertEquals(ErrorCode.MEMBER_MUTED, refused(() -> admin.client.sendText(ConversationType.GROUP, gid,
                "muted admin").get(20, SECONDS)).code());
    }

    @Test
    void aGroupOfTenThousandMembersIsBuiltInBatchesMessagedOnceAndPaged() throws Exception {
        Device owner = device("big_owner", Transport.TCP);
        Device member = device("big_member", Transport.WEBSOCKET);
        List<Long> others = bulkAccounts(LARGE - 2);
        long gid = owner.client.groups().create("ten thousand", List.of(member.uid)).get(20, SECONDS);
        String conv = "g_" + gid;

        GroupAck last = owner.client.groups().inviteAll(gid, others).get(120, SECONDS);
        int batches = (others.size() + 499) / 500;
        assertEquals(1 + batches, last.getSeq(), "one SYSTEM message per batch of 500");
        long seq = owner.client.sendText(ConversationType.GROUP, gid, "hello ten thousand").get(20, SECONDS).getSeq();

        Message got = member.awaitMessage(conv, seq);
        assertEquals("hello ten thousand", got.getContent().getText());
        assertEquals(seq, rows(conv), "one message row per message, whatever the member count");
        long counted = 0;
        long after = 0;
        do {
            GroupMembersPage page = member.client.groups().members(gid, after, 500).get(20, SECONDS);
            counted += page.members().size();
            after = page.nextAfterUid();
        } while (after != 0);
        assertEquals(LARGE, counted);
    }

    // ---- helpers

    private List<Long> bulkAccounts(int n) {
        List<Account> rows = new ArrayList<>(n);
        List<Long> uids = new ArrayList<>(n);
        long base = 900_000_000L;
        for (int i = 1; i <= n; i++) {
            rows.add(new Account(base + i, "bulk" + (base + i), "not-a-login", "", 1));
            uids.add(base + i);
        }
        new AccountRepository(database.dataSource()).createAll(rows);
        return uids;
    }

    private long rows(String conv) throws Exception {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM message WHERE conversation_id = ?")) {
            s.setString(1, conv);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static MagpieErrorException refused(org.junit.jupiter.api.function.Executable call) {
        ExecutionException e = assertThrows(ExecutionException.class, call);
        return assertInstanceOf(MagpieErrorException.class, e.getCause());
    }

    private Device device(String user, Transport transport) throws Exception {
        Platform platform = transport == Transport.WEBSOCKET ? Platform.WEB : Platform.ANDROID;
        ClientConfig config = ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + node.lsbPort())
                .transport(transport)
                .deviceId(user + "-dev")
                .platform(platform)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        AccountClient accounts = new AccountClient(config);
        accounts.register(user, PASSWORD, user);
        Credentials credentials = accounts.login(user, PASSWORD, user + "-dev", platform);
        MagpieClient client = new MagpieClient(config);
        clients.add(client);
        Device device = new Device(credentials.uid(), client);
        client.addListener(device);
        client.connect(credentials).get(20, SECONDS);
        return device;
    }

    /** One logged-in device and the messages its listener saw. */
    private static final class Device implements MessageListener {
        final long uid;
        final MagpieClient client;
        final List<Message> received = new CopyOnWriteArrayList<>();

        Device(long uid, MagpieClient client) {
            this.uid = uid;
            this.client = client;
        }

        Message awaitMessage(String conv, long seq) {
            return await().atMost(60, SECONDS).until(() -> received.stream()
                    .filter(m -> m.getConversationId().equals(conv) && m.getSeq() == seq).findFirst(),
                    Optional::isPresent).get();
        }

        GroupEvent awaitEvent(String conv, long seq) {
            return GroupEvents.of(awaitMessage(conv, seq)).orElseThrow(() -> new AssertionError(
                    "the message at seq " + seq + " of " + conv + " is not a SYSTEM message"));
        }

        @Override
        public void onMessage(Message message) {
            received.add(message);
        }
    }
}
