package io.magpie.das;

import io.magpie.registry.StorageException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class AccountRepositoryIT {

    private static Database database;
    private static AccountRepository accounts;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2));
        accounts = new AccountRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void createdAccountIsFoundByNameAndId() {
        Account alice = new Account(1001, "alice", "pbkdf2$1$salt$hash", "Alice 🐦", 1_700_000_000_000L);
        accounts.create(alice);
        assertEquals(Optional.of(alice), accounts.findByUsername("alice"));
        assertEquals(Optional.of(alice), accounts.findById(1001));
        assertEquals(Optional.empty(), accounts.findById(999_999));
        assertEquals(Optional.empty(), accounts.findByUsername("nobody"));
    }

    @Test
    void takenUserNameIsADuplicateUsernameRegardlessOfCase() {
        accounts.create(new Account(2001, "bob", "h", "", 1));
        DuplicateUsernameException e = assertThrows(DuplicateUsernameException.class,
                () -> accounts.create(new Account(2002, "BOB", "h", "", 1)));
        assertEquals("BOB", e.username());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("already taken"), e.getMessage());
        assertTrue(accounts.findById(2002).isEmpty());
    }

    @Test
    void takenUidIsAPermanentFailureButNotADuplicateUsername() {
        accounts.create(new Account(3001, "carol", "h", "", 1));
        StorageException e = assertThrows(StorageException.class,
                () -> accounts.create(new Account(3001, "dave", "h", "", 1)));
        assertFalse(e instanceof DuplicateUsernameException);
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("uid 3001"), e.getMessage());
    }
}
