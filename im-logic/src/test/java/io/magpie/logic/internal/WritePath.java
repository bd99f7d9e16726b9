package io.magpie.logic.internal;

import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.ConversationRepository;
import io.magpie.das.GroupJoinRequests;
import io.magpie.das.Relations;
import io.magpie.das.Database;
import io.magpie.das.Group;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.MysqlConfig;
import io.magpie.das.PartitionFenceRepository;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisStore;
import io.magpie.idgen.ConversationSeqAllocator;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write path of step 5 on the real MariaDB and Redis, without Kafka: SendBatchProcessors wired as
 * LogicService wires them (fenced MessageStore, rosters under lock), plus helpers to create groups and
 * read what was stored. One per test class.
 */
final class WritePath implements AutoCloseable {

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
    static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(20);

    final Database database;
    final RedisStore redis;
    final MessageRepository messages;
    final ConversationRepository conversations;
    final GroupRepository groups;
    final PartitionFenceRepository fenceRows;
    private final Clock clock = Clock.systemUTC();
    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis() << 16);
    private final AtomicLong uids = new AtomicLong(7_000_000);

    WritePath(Infrastructure infra, TestIsolation iso) {
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        messages = new MessageRepository(database.dataSource());
        conversations = new ConversationRepository(database.dataSource(), clock);
        groups = new GroupRepository(database.dataSource(), clock);
        fenceRows = new PartitionFenceRepository(database.dataSource(), clock, IDLE_TIMEOUT, CLAIM_TIMEOUT);
    }

    /** A fresh uid (every account "exists": the peer check answers yes). */
    long uid() {
        return uids.incrementAndGet();
    }

    /** A process-unique message id source, ascending. */
    IdGenerator idSource() {
        return ids::incrementAndGet;
    }

    SendBatchProcessor processor(PartitionFences fences) {
        return processor(idSource(), fences);
    }

    SendBatchProcessor processor(IdGenerator idGenerator, PartitionFences fences) {
        return processor(idGenerator, fences, 200);
    }

    /** @param largeGroupThreshold groups with more members go the read-diffusion path (0: every group) */
    SendBatchProcessor processor(IdGenerator idGenerator, PartitionFences fences, int largeGroupThreshold) {
        MessageAssigner assigner = new MessageAssigner(idGenerator, new ConversationSeqAllocator(messages::maxSeq),
                clock);
        return new SendBatchProcessor(messages, new RecipientAuthorizer(uid -> true, 100), groups::roster,
                largeGroupThreshold,
                assigner, new MessageStore(database.dataSource(), messages, conversations, groups, fenceRows),
                new SlowWriteWarning(clock,
                Duration.ofSeconds(30)), fences);
    }

    /** An assigner with its own seq cache: share one between a SEND and a GROUP processor, as logic does. */
    MessageAssigner assigner() {
        return new MessageAssigner(idSource(), new ConversationSeqAllocator(messages::maxSeq), clock);
    }

    /** A SEND processor on {@code assigner}, unfenced. */
    SendBatchProcessor processor(MessageAssigner assigner, int largeGroupThreshold) {
        return new SendBatchProcessor(messages, new RecipientAuthorizer(uid -> true, 100), groups::roster,
                largeGroupThreshold, assigner, store(), new SlowWriteWarning(clock, Duration.ofSeconds(30)), null,
                clock);
    }

    /** A GROUP processor on {@code assigner}, unfenced, wired as LogicService wires it. */
    GroupOpProcessor groupOps(MessageAssigner assigner, int largeGroupThreshold, int maxMembers) {
        return new GroupOpProcessor(messages, groups::roster, new GroupOpProcessor.Directory(
                new AccountRepository(database.dataSource()), new Relations(database.dataSource()),
                new GroupJoinRequests(database.dataSource(), clock)), new GroupOps(maxMembers), assigner, store(),
                null, clock, largeGroupThreshold);
    }

    /** Group creation over the HTTP path's service, group ids from {@code groupIds}. */
    GroupService groupService(IdGenerator groupIds, int maxMembers, int largeGroupThreshold) {
        return new GroupService(groups, new AccountRepository(database.dataSource()),
                new GroupJoinRequests(database.dataSource(), clock), new Relations(database.dataSource()), store(), groupIds, idSource(), clock, maxMembers,
                largeGroupThreshold, null);
    }

    MessageStore store() {
        return new MessageStore(database.dataSource(), messages, conversations, groups, fenceRows);
    }

    /** Registered users: account rows written in bulk (no password hashing), their uids ascending. */
    long[] accounts(int n) {
        List<Account> rows = new ArrayList<>(n);
        long[] out = new long[n];
        long now = clock.millis();
        for (int i = 0; i < n; i++) {
            long uid = uid();
            out[i] = uid;
            rows.add(new Account(uid, "u" + uid, "not-a-hash", "", now));
        }
        new AccountRepository(database.dataSource()).createAll(rows);
        return out;
    }

    /** A group of {@code members} (the first one owns it), created at seq 0. */
    long group(long... members) {
        long gid = ids.incrementAndGet();
        long now = clock.millis();
        List<GroupMember> rows = new ArrayList<>();
        for (int i = 0; i < members.length; i++) {
            rows.add(GroupMember.joining(gid, members[i], i == 0 ? GroupMember.ROLE_OWNER : GroupMember.ROLE_MEMBER,
                    1, now));
        }
        groups.create(new Group(gid, "g" + gid, members[0], members.length, 0, 0, gid, false, now, now, false),
                rows, gid);
        return gid;
    }

    /** The stored "seq:clientMsgId" of a conversation, ascending by seq. */
    List<String> rows(String conversationId) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT seq, client_msg_id FROM message WHERE conversation_id = ? ORDER BY seq")) {
            s.setString(1, conversationId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getLong(1) + ":" + rs.getString(2));
                }
            }
        }
        return rows;
    }

    static List<PushTask> withCommand(List<OutgoingPush> pushes, Command command) {
        return pushes.stream().map(OutgoingPush::task).filter(t -> t.getCommand() == command.code()).toList();
    }

    static List<SendAck> acks(List<OutgoingPush> pushes) {
        return withCommand(pushes, Command.SEND_ACK).stream().map(t -> {
            try {
                return SendAck.parseFrom(t.getBody());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    static List<io.magpie.protocol.proto.Error> errors(List<OutgoingPush> pushes) {
        return withCommand(pushes, Command.ERROR).stream().map(t -> {
            try {
                return io.magpie.protocol.proto.Error.parseFrom(t.getBody());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Override
    public void close() {
        redis.close();
        database.close();
    }
}
