package io.magpie.das;

import io.magpie.das.Relations.DirectPair;
import io.magpie.das.Relations.DirectRefusal;
import io.magpie.registry.StorageException;
import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.StatementScript;
import io.magpie.das.internal.WriterSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists a batch of new messages and the conversation (and group) rows they move, in one MySQL transaction:
 * either every row is stored or none is. Returning normally means the batch is durable (the
 * condition for SEND_ACK). A fenced transaction ({@link #persist(WriteFence, Collection, Planner)})
 * proves before it commits that its writer still owns the partitions (see {@link PartitionFenceRepository})
 * and plans its group messages from rosters read under the groups' locks.
 *
 * <p>Failures are {@link StorageException}s with the cause chained and {@code retryable()} set; a
 * collision with stored messages is a {@link DuplicateMessageException} naming the key. The
 * transaction is rolled back before the exception leaves (a rollback failure is attached as
 * suppressed).
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe.
 */
public final class MessageStore {

    private static final Logger log = LoggerFactory.getLogger(MessageStore.class);

    private final DataSource dataSource;
    private final MessageRepository messages;
    private final ConversationRepository conversations;
    private final GroupRepository groups;
    private final PartitionFenceRepository fences;
    private final Relations relations;
    /** The single writer's held session; null = every transaction borrows a pooled connection. */
    private final WriterSession writer;

    /** A store for one-to-one messages only: {@link #persist(List, List, List)} takes no group progress. */
    public MessageStore(DataSource dataSource, MessageRepository messages, ConversationRepository conversations) {
        this(dataSource, messages, conversations, null);
    }

    /**
     * @param groups advances {@code im_group} for group messages; null = this store takes no group progress
     */
    public MessageStore(DataSource dataSource, MessageRepository messages, ConversationRepository conversations,
            GroupRepository groups) {
        this(dataSource, messages, conversations, groups, null);
    }

    /**
     * @param groups advances {@code im_group} for group messages; null = this store takes no group progress
     * @param fences checks a {@link WriteFence} in each fenced transaction; null = this store takes no fence
     */
    public MessageStore(DataSource dataSource, MessageRepository messages, ConversationRepository conversations,
            GroupRepository groups, PartitionFenceRepository fences) {
        this(dataSource, messages, conversations, groups, fences, null);
    }

    /**
     * @param writerSessions where the partitions' single writer takes the MySQL session it keeps between its fenced
     *                       transactions and {@link #lookup}s, set up once (manual commit, bounded idle time) instead of
     *                       per transaction; the first thread to run either owns it. Its sessions must accept
     *                       multi-statement queries ({@link Database#writerDataSource()}): there a transaction's
     *                       writes and fence check go in one round trip, and so do a batch's reads. Null = every
     *                       transaction and lookup borrows from {@code dataSource}. Needs {@code fences}.
     */
    public MessageStore(DataSource dataSource, MessageRepository messages, ConversationRepository conversations,
            GroupRepository groups, PartitionFenceRepository fences, DataSource writerSessions) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.conversations = Objects.requireNonNull(conversations, "conversations");
        this.groups = groups;
        this.fences = fences;
        this.relations = new Relations(dataSource);
        if (writerSessions != null && fences == null) {
            throw new IllegalArgumentException("a held writer session is for fenced writes: it needs a"
                    + " PartitionFenceRepository");
        }
        this.writer = writerSessions != null ? new WriterSession(writerSessions, fences::boundIdle,
                fences::restoreIdle, fences.idleTimeout().toNanos() / 2, System::nanoTime) : null;
    }

    /**
     * What a batch of SENDs reads before its transaction ({@link #lookup}).
     *
     * @param stored   the stored messages of the looked-up client message ids; ids with none are absent
     * @param refusals the refused ones among the looked-up one-to-one pairs; pairs that may send are absent
     */
    public record Lookup(Map<SenderClientKey, MessageRecord> stored, Map<DirectPair, DirectRefusal> refusals) {

        public Lookup {
            stored = Map.copyOf(stored);
            refusals = Map.copyOf(refusals);
        }
    }

    /**
     * The reads a batch of SENDs needs before its transaction: the stored messages of its client message ids (the
     * dedupe of {@link MessageRepository#findByClientMsgIds}) and which of its one-to-one pairs the recipient refuses
     * ({@link Relations#directRefusals}). On the thread of the writer's held session both go in one round trip,
     * with the COMMIT that ends the transaction the reads opened on that session in manual commit; elsewhere, or
     * when either needs more than one statement, as one query each on pooled sessions.
     */
    public Lookup lookup(Collection<SenderClientKey> keys, Collection<DirectPair> pairs) {
        Set<SenderClientKey> distinctKeys = new LinkedHashSet<>(keys);
        Set<DirectPair> distinctPairs = new LinkedHashSet<>(pairs);
        if (distinctKeys.isEmpty() && distinctPairs.isEmpty()) {
            return new Lookup(Map.of(), Map.of());
        }
        if (writer == null || distinctKeys.size() > MessageRepository.MAX_KEYS_PER_QUERY
                || distinctPairs.size() > Relations.MAX_ROWS_PER_STATEMENT) {
            return pooledLookup(distinctKeys, distinctPairs);
        }
        Map<SenderClientKey, MessageRecord> stored = new HashMap<>();
        Map<DirectPair, DirectRefusal> refusals = new HashMap<>();
        StatementScript script = new StatementScript();
        try {
            if (!distinctKeys.isEmpty()) {
                messages.appendLookup(script, distinctKeys, stored);
            }
            if (!distinctPairs.isEmpty()) {
                Relations.appendDirectRefusals(script, distinctPairs, refusals);
            }
            // the reads open a transaction (manual commit): end it, so the session keeps no snapshot
            script.add("COMMIT", (statement, first) -> first);
        } catch (SQLException e) {
            throw SqlErrors.translate("building the lookup of " + distinctKeys.size() + " client message ids and "
                    + distinctPairs.size() + " one-to-one pairs", e);
        }
        Connection held = acquireHeld();
        if (held == null) {
            return pooledLookup(distinctKeys, distinctPairs);
        }
        try {
            script.execute(held);
            writer.released();
        } catch (SQLException e) {
            writer.discard();
            throw SqlErrors.translate("one round trip on the writer's session", e);
        } catch (RuntimeException | Error e) {
            writer.discard();
            throw e;
        }
        return new Lookup(stored, refusals);
    }

    private Lookup pooledLookup(Set<SenderClientKey> keys, Set<DirectPair> pairs) {
        return new Lookup(messages.findByClientMsgIds(keys), relations.directRefusals(pairs));
    }

    /** The writer's held session, set up; null when the calling thread is not its owner. */
    private Connection acquireHeld() {
        try {
            return writer.acquire();
        } catch (SQLException e) {
            throw SqlErrors.translate("setting up the writer's MySQL session (manual commit, wait_timeout "
                    + fences.idleTimeout().toSeconds() + " s)", e);
        }
    }

    /** Inserts {@code newMessages} and applies {@code conversationUpdates} in one transaction. */
    public void persist(List<MessageRecord> newMessages, List<ConversationUpdate> conversationUpdates) {
        persist(newMessages, conversationUpdates, List.of());
    }

    /**
     * Inserts {@code newMessages}, applies {@code conversationUpdates} and advances the groups'
     * last seq ({@code groupProgress}, the read-diffusion side of group messages) in one transaction,
     * unfenced and with the groups' rows locked first (the order a membership change uses).
     *
     * @throws IllegalStateException if {@code groupProgress} is not empty and this store has no group repository
     */
    public void persist(List<MessageRecord> newMessages, List<ConversationUpdate> conversationUpdates,
            List<GroupProgress> groupProgress) {
        if (newMessages.isEmpty() && conversationUpdates.isEmpty() && groupProgress.isEmpty()) {
            return;
        }
        Set<Long> groupIds = new TreeSet<>();
        groupProgress.forEach(p -> groupIds.add(p.groupId()));
        persist(WriteFence.NONE, groupIds, rosters -> new Writes(newMessages, conversationUpdates, groupProgress));
    }

    /**
     * What one transaction writes: message rows, conversation rows, group progress, changes of
     * groups (membership, roles, settings) recorded by SYSTEM messages among {@code messages}, and which of
     * {@code messages} quote which stored message ({@code replies}, table {@code message_reply}).
     */
    public record Writes(List<MessageRecord> messages, List<ConversationUpdate> rows, List<GroupProgress> groups,
                         List<GroupChange> changes, List<ReplyLink> replies) {

        public Writes {
            messages = List.copyOf(messages);
            rows = List.copyOf(rows);
            groups = List.copyOf(groups);
            changes = List.copyOf(changes);
            replies = List.copyOf(replies);
        }

        /** Writes without replies. */
        public Writes(List<MessageRecord> messages, List<ConversationUpdate> rows, List<GroupProgress> groups,
                List<GroupChange> changes) {
            this(messages, rows, groups, changes, List.of());
        }

        /** Writes that change no group. */
        public Writes(List<MessageRecord> messages, List<ConversationUpdate> rows, List<GroupProgress> groups) {
            this(messages, rows, groups, List.of());
        }

        public boolean isEmpty() {
            return messages.isEmpty() && rows.isEmpty() && groups.isEmpty() && changes.isEmpty();
        }
    }

    /**
     * Decides the writes of a transaction from the rosters read under the groups' locks. Runs inside
     * the transaction (keep it to memory work: the locks are held); an exception rolls it back.
     */
    @FunctionalInterface
    public interface Planner {
        /** @param lockedRosters the locked groups that exist, by id */
        Writes plan(Map<Long, GroupRoster> lockedRosters);
    }

    /**
     * One fenced transaction: check {@code fence} (share lock on the partitions' fence rows, idle bound
     * on the session), lock the rows of {@code groupIds} and read their rosters (members cannot change
     * until commit, so a message reaches exactly the members at its seq), let {@code planner} decide
     * the writes from them, then advance the groups, insert the messages and upsert the conversation
     * rows, and commit. On the held writer session a transaction that locks no group checks the fence last
     * instead, in the round trip of its writes. Returning normally means the writes are durable.
     *
     * @return what was written (empty if the planner wrote nothing)
     * @throws FencedWriteException      if another instance claimed one of the fence's partitions
     * @throws DuplicateMessageException if a message row collides with a stored one
     * @throws IllegalStateException     if groups are involved and this store has no group repository
     */
    public Writes persist(WriteFence fence, Collection<Long> groupIds, Planner planner) {
        if ((!groupIds.isEmpty()) && groups == null) {
            throw new IllegalStateException("this MessageStore was built without a GroupRepository and cannot lock"
                    + " or advance " + groupIds.size() + " groups");
        }
        if (!fence.isNone() && fences == null) {
            throw new IllegalStateException("this MessageStore was built without a PartitionFenceRepository and"
                    + " cannot check the fence of partitions " + fence.epochs().keySet());
        }
        if (!fence.isNone() && writer != null) {
            Connection held = acquireHeld();
            if (held != null) {
                try {
                    Writes writes = transaction(held, fence, groupIds, planner, true);
                    writer.released();
                    return writes;
                } catch (RuntimeException | Error e) {
                    writer.discard();
                    throw e;
                }
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            // HikariCP restores auto-commit when the connection goes back to the pool
            connection.setAutoCommit(false);
            try {
                if (!fence.isNone()) {
                    fences.boundIdle(connection);
                }
                Writes writes = transaction(connection, fence, groupIds, planner, false);
                restoreIdleTimeout(connection, fence, "fenced persist");
                return writes;
            } catch (SQLException e) {
                RuntimeException failure = SqlErrors.translate("bounding the idle time of a fenced persist", e);
                leave(connection, fence, failure);
                throw failure;
            } catch (RuntimeException e) {
                leave(connection, fence, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("fenced persist touching " + groupIds.size() + " groups", e);
        }
    }

    /**
     * The transaction itself on a session in manual commit (and bounded idle time when fenced): check the
     * fence, lock the groups, plan, write, commit; rolled back on any failure. On a session that accepts
     * multi-statements ({@code oneRoundTrip}) the writes go in one round trip when they fit one script
     * ({@link #fitsOneRoundTrip}: at most 1,000 messages and 4 MiB of their content; {@link #writeInOneRoundTrip}),
     * and a fenced transaction that locks no group checks its fence last, in that same round trip: it takes no
     * lock before its writes then, so a stale writer frozen before them holds nothing a new owner waits for. One
     * that locks groups checks it first, before it takes their locks.
     */
    private Writes transaction(Connection connection, WriteFence fence, Collection<Long> groupIds, Planner planner,
            boolean oneRoundTrip) {
        String what = "fenced persist touching " + groupIds.size() + " groups";
        boolean checkLast = oneRoundTrip && !fence.isNone() && groupIds.isEmpty();
        try {
            if (!fence.isNone() && !checkLast) {
                fences.check(connection, fence);
            }
            Map<Long, GroupRoster> rosters = groupIds.isEmpty() ? Map.of() : groups.lockRosters(connection, groupIds);
            Writes writes = planner.plan(rosters);
            what = "persist of " + writes.messages().size() + " messages, " + writes.rows().size()
                    + " conversation rows and " + writes.groups().size() + " groups";
            if ((!writes.changes().isEmpty()) && groups == null) {
                throw new IllegalStateException("this MessageStore was built without a GroupRepository"
                        + " and cannot change " + writes.changes().size() + " groups");
            }
            // first: a created group's row must exist before its first message advances it
            for (GroupChange change : writes.changes()) {
                groups.apply(connection, change);
            }
            if (!writes.groups().isEmpty()) {
                groups.advance(connection, writes.groups());
            }
            if (oneRoundTrip && fitsOneRoundTrip(writes)) {
                writeInOneRoundTrip(connection, checkLast ? fence : WriteFence.NONE, writes);
            } else {
                if (checkLast) {
                    fences.check(connection, fence);
                }
                messages.insertBatch(connection, writes.messages());
                conversations.upsertBatch(connection, writes.rows());
            }
            // replies last and alone (rare): a duplicate key in the round trip above is then always a message's
            messages.insertReplies(connection, writes.replies());
            connection.commit();
            return writes;
        } catch (SQLException e) {
            rollback(connection, e);
            throw SqlErrors.translate(what, e);
        } catch (RuntimeException e) {
            rollback(connection, e);
            throw e;
        }
    }

    /**
     * Every write fits one statement of a script, and the whole script one packet well below a 16 MiB
     * {@code max_allowed_packet} ({@link MessageRepository#fitsOneScript}).
     */
    private static boolean fitsOneRoundTrip(Writes writes) {
        return (writes.messages().isEmpty() || MessageRepository.fitsOneScript(writes.messages()))
                && writes.rows().size() <= ConversationRepository.MAX_ROWS_PER_STATEMENT;
    }

    /**
     * Inserts the messages, upserts the conversation rows and, unless {@code fence} is none, reads the fence rows
     * share-locked, in one multi-statement round trip, then judges the fence. MySQL stops at the first statement
     * that fails: a message colliding with a stored one is a {@link DuplicateMessageException}, unless the fence,
     * checked then, says another instance claimed the partitions (whose writer stored those rows).
     */
    private void writeInOneRoundTrip(Connection connection, WriteFence fence, Writes writes) throws SQLException {
        StatementScript script = new StatementScript();
        if (!writes.messages().isEmpty()) {
            messages.appendInsert(script, writes.messages());
        }
        conversations.appendUpsert(script, writes.rows());
        Map<Integer, Long> epochs = new HashMap<>();
        if (!fence.isNone()) {
            fences.appendCheck(script, fence, epochs);
        }
        if (script.isEmpty()) {
            return;
        }
        try {
            script.execute(connection);
        } catch (SQLException e) {
            StorageException failure = writes.messages().isEmpty() ? null
                    : MessageRepository.translateInsert(e, writes.messages());
            if (failure instanceof DuplicateMessageException duplicate) {
                try {
                    fences.check(connection, fence);
                } catch (SQLException | RuntimeException checkFailure) {
                    checkFailure.addSuppressed(duplicate);
                    throw checkFailure;
                }
                throw duplicate;
            }
            throw e;
        }
        if (!fence.isNone()) {
            PartitionFenceRepository.verify(fence, epochs);
        }
    }

    private void leave(Connection connection, WriteFence fence) throws SQLException {
        if (!fence.isNone()) {
            fences.leave(connection, fence);
        }
    }

    /** After a commit: the writes are durable whatever happens here, so a failure is only logged. */
    private void restoreIdleTimeout(Connection connection, WriteFence fence, String what) {
        try {
            leave(connection, fence);
        } catch (SQLException e) {
            // the pool notices a session MySQL closes later; the committed batch must not look failed
            log.warn("[fence {}] {} committed, but restoring the session's idle timeout failed; the pooled"
                    + " connection may be closed by MySQL when idle and is then replaced", fence.topic(), what, e);
        }
    }

    private void leave(Connection connection, WriteFence fence, RuntimeException failure) {
        try {
            leave(connection, fence);
        } catch (SQLException e) {
            // the session is likely gone (closed by the idle bound): the pool drops it
            failure.addSuppressed(e);
        }
    }

    private static void rollback(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }
}
