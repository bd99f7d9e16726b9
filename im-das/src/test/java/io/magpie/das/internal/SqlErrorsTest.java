package io.magpie.das.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.StorageException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @Test
    void duplicateKeyNameWithAndWithoutTablePrefix() {
        SQLException mysql8 = new SQLIntegrityConstraintViolationException(
                "Duplicate entry 's_1_2-5' for key 'message.uk_message_conversation_seq'", "23000", 1062);
        SQLException mariadb = new SQLIntegrityConstraintViolationException(
                "Duplicate entry '7-c1' for key 'uk_message_sender_client_msg'", "23000", 1062);
        assertTrue(SqlErrors.isDuplicateKey(mysql8));
        assertEquals(Optional.of("uk_message_conversation_seq"), SqlErrors.duplicateKeyName(mysql8));
        assertEquals(Optional.of("uk_message_sender_client_msg"), SqlErrors.duplicateKeyName(mariadb));
        assertEquals(Optional.empty(), SqlErrors.duplicateKeyName(new SQLException("other")));
    }

    @Test
    void transientFaultsAreRetryable() {
        assertTrue(SqlErrors.retryable(new SQLTransactionRollbackException("Deadlock found", "40001", 1213)));
        assertTrue(SqlErrors.retryable(new SQLException("Lock wait timeout exceeded", "HY000", 1205)));
        assertTrue(SqlErrors.retryable(new SQLTransientConnectionException("pool timeout")));
        assertTrue(SqlErrors.retryable(new SQLException("Communications link failure", "08S01", 0)));
    }

    @Test
    void permanentFaultsAreNot() {
        assertFalse(SqlErrors.retryable(new SQLIntegrityConstraintViolationException("dup", "23000", 1062)));
        assertFalse(SqlErrors.retryable(new SQLSyntaxErrorException("bad sql", "42000", 1064)));
        assertFalse(SqlErrors.retryable(new SQLException("Data too long", "22001", 1406)));
    }

    @Test
    void translateChainsTheCauseAndSaysWhat() {
        SQLException cause = new SQLTransactionRollbackException("Deadlock found", "40001", 1213);
        StorageException e = SqlErrors.translate("insert of 3 rows", cause);
        assertSame(cause, e.getCause());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().startsWith("insert of 3 rows failed: Deadlock found"), e.getMessage());
    }
}
