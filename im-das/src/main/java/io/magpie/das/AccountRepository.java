package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Table {@code account}. User names are unique regardless of case.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class AccountRepository {

    private static final String SELECT = "SELECT uid, username, password_hash, nickname, created_at FROM account ";

    private final DataSource dataSource;

    public AccountRepository(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Stores a new account ({@code updated_at} = {@code createdAt}).
     *
     * @throws DuplicateUsernameException if the user name is taken
     * @throws StorageException           if the uid is taken (not retryable) or on any other failure
     */
    public void create(Account account) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO account"
                     + " (uid, username, password_hash, nickname, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            statement.setLong(1, account.uid());
            statement.setString(2, account.username());
            statement.setString(3, account.passwordHash());
            statement.setString(4, account.nickname());
            statement.setLong(5, account.createdAt());
            statement.setLong(6, account.createdAt());
            statement.executeUpdate();
        } catch (SQLException e) {
            if (SqlErrors.isDuplicateKey(e)) {
                String key = SqlErrors.duplicateKeyName(e).orElse("");
                if (key.equals("uk_account_username")) {
                    throw new DuplicateUsernameException(account.username(), e);
                }
                if (key.equals("PRIMARY")) {
                    throw new StorageException("account uid " + account.uid() + " exists already: "
                            + e.getMessage() + "; the uid segment was handed out twice", e, false);
                }
            }
            throw SqlErrors.translate("create of account uid " + account.uid(), e);
        }
    }

    public Optional<Account> findByUsername(String username) {
        return findOne("account '" + username + "'", SELECT + "WHERE username = ?", username);
    }

    public Optional<Account> findById(long uid) {
        return findOne("account uid " + uid, SELECT + "WHERE uid = ?", uid);
    }

    private Optional<Account> findOne(String what, String sql, Object key) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, key);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Account(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getLong(5)));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of " + what, e);
        }
    }
}
