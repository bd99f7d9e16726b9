package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Persists a batch of new messages and the conversation (and group) rows they move, in one MySQL transaction:
 * either every row is stored or none is. Returning normally means the batch is durable (the
 * condition for SEND_ACK).
 *
 * <p>Failures are {@link StorageException}s with the cause chained and {@code retryable()} set; a
 * collision with stored messages is a {@link DuplicateMessageException} naming the key. The
 * transaction is rolled back before the exception leaves (a rollback failure is attached as
 * suppressed).
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe.
 */
public final class MessageStore {

    private final DataSource dataSource;
    private final MessageRepository messages;
    private final ConversationRepository conversations;
    private final GroupRepository groups;

    /** A store for one-to-one messages only: {@link #persist(List, List, List)} takes no group progress. */
    public MessageStore(DataSource dataSource, MessageRepository messages, ConversationRepository conversations) {
        this(dataSource, messages, conversations, null);
    }

    /**
     * @param groups advances {@code im_group} for group messages; null = this store takes no group progress
     */
    public MessageStore(DataSource dataSource, MessageRepository messages, ConversationRepository conversations,
            GroupRepository groups) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.conversations = Objects.requireNonNull(conversations, "conversations");
        this.groups = groups;
    }

    /** Inserts {@code newMessages} and applies {@code conversationUpdates} in one transaction. */
    public void persist(List<MessageRecord> newMessages, List<ConversationUpdate> conversationUpdates) {
        persist(newMessages, conversationUpdates, List.of());
    }

    /**
     * Inserts {@code newMessages}, applies {@code conversationUpdates} and advances the groups'
     * last seq ({@code groupProgress}, the read-diffusion side of group messages) in one transaction.
     * The groups are updated first: a membership change locks the group row before it writes
     * conversation rows, so both take their locks in the same order.
     *
     * @throws IllegalStateException if {@code groupProgress} is not empty and this store has no group repository
     */
    public void persist(List<MessageRecord> newMessages, List<ConversationUpdate> conversationUpdates,
            List<GroupProgress> groupProgress) {
        if (newMessages.isEmpty() && conversationUpdates.isEmpty() && groupProgress.isEmpty()) {
            return;
        }
        if (!groupProgress.isEmpty() && groups == null) {
            throw new IllegalStateException("this MessageStore was built without a GroupRepository and cannot store"
                    + " the progress of " + groupProgress.size() + " groups");
        }
        String what = "persist of " + newMessages.size() + " messages, " + conversationUpdates.size()
                + " conversation rows and " + groupProgress.size() + " groups";
        try (Connection connection = dataSource.getConnection()) {
            // HikariCP restores auto-commit when the connection goes back to the pool
            connection.setAutoCommit(false);
            try {
                if (!groupProgress.isEmpty()) {
                    groups.advance(connection, groupProgress);
                }
                messages.insertBatch(connection, newMessages);
                conversations.upsertBatch(connection, conversationUpdates);
                connection.commit();
            } catch (SQLException e) {
                rollback(connection, e);
                throw SqlErrors.translate(what, e);
            } catch (RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
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
