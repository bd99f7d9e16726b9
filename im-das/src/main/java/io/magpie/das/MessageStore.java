package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Persists a batch of new messages and the conversation rows they move, in one MySQL transaction:
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

    public MessageStore(DataSource dataSource, MessageRepository messages, ConversationRepository conversations) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.conversations = Objects.requireNonNull(conversations, "conversations");
    }

    /** Inserts {@code newMessages} and applies {@code conversationUpdates} in one transaction. */
    public void persist(List<MessageRecord> newMessages, List<ConversationUpdate> conversationUpdates) {
        if (newMessages.isEmpty() && conversationUpdates.isEmpty()) {
            return;
        }
        String what = "persist of " + newMessages.size() + " messages and " + conversationUpdates.size()
                + " conversation rows";
        try (Connection connection = dataSource.getConnection()) {
            // HikariCP restores auto-commit when the connection goes back to the pool
            connection.setAutoCommit(false);
            try {
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
