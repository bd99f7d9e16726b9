package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Table {@code account}. User names are unique regardless of case.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class AccountRepository {

    /** Most rows one statement of {@link #createAll} carries. */
    public static final int MAX_ROWS_PER_STATEMENT = 1000;
    private static final io.magpie.das.internal.MultiRowSql INSERT_MANY = io.magpie.das.internal.MultiRowSql.values(
            "INSERT INTO account (uid, username, password_hash, nickname, created_at, updated_at) VALUES ", 6, "",
            MAX_ROWS_PER_STATEMENT);

    /** Most uids one {@code IN (...)} list carries. */
    static final int MAX_UIDS_PER_QUERY = 500;

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

    /**
     * Stores many accounts in multi-row inserts of at most {@value #MAX_ROWS_PER_STATEMENT} rows, for
     * bulk provisioning (imports, load tests); nothing is checked beyond the table's keys.
     *
     * @throws StorageException if a uid or user name is taken (that statement's rows are not stored) or on any
     *                          other failure
     */
    public void createAll(List<Account> rows) {
        for (int from = 0; from < rows.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<Account> chunk = rows.subList(from, Math.min(rows.size(), from + MAX_ROWS_PER_STATEMENT));
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement statement = connection.prepareStatement(INSERT_MANY.forRows(chunk.size()))) {
                int p = 1;
                for (Account a : chunk) {
                    statement.setLong(p++, a.uid());
                    statement.setString(p++, a.username());
                    statement.setString(p++, a.passwordHash());
                    statement.setString(p++, a.nickname());
                    statement.setLong(p++, a.createdAt());
                    statement.setLong(p++, a.createdAt());
                }
                statement.executeUpdate();
            } catch (SQLException e) {
                throw SqlErrors.translate("bulk create of " + chunk.size() + " accounts from uid " + chunk.get(0).uid(),
                        e);
            }
        }
    }

    /** Replaces the password hash of {@code uid}; true if the account exists. */
    public boolean updatePasswordHash(long uid, String passwordHash, long now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "UPDATE account SET password_hash = ?, updated_at = ? WHERE uid = ?")) {
            statement.setString(1, passwordHash);
            statement.setLong(2, now);
            statement.setLong(3, uid);
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            throw SqlErrors.translate("password change of uid " + uid, e);
        }
    }

    public Optional<Account> findByUsername(String username) {
        return findOne("account '" + username + "'", SELECT + "WHERE username = ?", username);
    }

    public Optional<Account> findById(long uid) {
        return findOne("account uid " + uid, SELECT + "WHERE uid = ?", uid);
    }

    /** Which of these uids have an account (one query per 500 uids). */
    public Set<Long> findExistingUids(Collection<Long> uids) {
        List<Long> all = List.copyOf(new LinkedHashSet<>(uids));
        Set<Long> found = new HashSet<>();
        for (int from = 0; from < all.size(); from += MAX_UIDS_PER_QUERY) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_UIDS_PER_QUERY));
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement statement = connection.prepareStatement("SELECT uid FROM account WHERE uid IN ("
                         + "?,".repeat(chunk.size() - 1) + "?)")) {
                for (int i = 0; i < chunk.size(); i++) {
                    statement.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getLong(1));
                    }
                }
            } catch (SQLException e) {
                throw SqlErrors.translate("lookup of " + chunk.size() + " uids", e);
            }
        }
        return found;
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
