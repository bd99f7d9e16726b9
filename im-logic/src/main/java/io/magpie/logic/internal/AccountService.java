package io.magpie.logic.internal;

import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.DuplicateUsernameException;
import io.magpie.idgen.IdGenerator;
import java.time.Clock;
import java.util.Optional;

/**
 * Step 1: register accounts, check their passwords, change them. A login checks the password against
 * the slow salted hash; {@link DeviceSessionService} then opens the device's session and issues its
 * tokens. Unknown user and wrong password get the same answer and take about the same time, so the API
 * does not tell which usernames exist. Storage faults surface as {@link io.magpie.registry.StorageException}.
 * Thread-safe; blocking (JDBC): runs on the HTTP server's threads.
 */
public final class AccountService {

    private final AccountRepository accounts;
    private final IdGenerator uids;
    private final PasswordHasher hasher;
    private final Clock clock;
    /** Verified when the username is unknown, so that answer costs a hash like a wrong password. */
    private final String decoyHash;

    public AccountService(AccountRepository accounts, IdGenerator uids, PasswordHasher hasher, Clock clock) {
        this.accounts = accounts;
        this.uids = uids;
        this.hasher = hasher;
        this.clock = clock;
        this.decoyHash = hasher.hash("decoy password, never matches a login");
    }

    /** @return the new account's uid */
    public long register(String username, String password, String nickname) throws ApiException {
        String name = AccountInput.username(username);
        String pass = AccountInput.password(password);
        String nick = AccountInput.nickname(nickname, name);
        if (accounts.findByUsername(name).isPresent()) {
            throw usernameTaken(name);
        }
        long uid = uids.nextId();
        try {
            accounts.create(new Account(uid, name, hasher.hash(pass), nick, clock.millis()));
        } catch (DuplicateUsernameException e) {
            // another request registered the same name between our check and our insert
            throw usernameTaken(name);
        }
        return uid;
    }

    /** Checks the credentials; returns the account's uid. The caller has already counted the attempt. */
    public long authenticate(String username, String password) throws ApiException {
        if (username == null || password == null) {
            throw ApiException.badRequest("username and password are required");
        }
        Optional<Account> account = accounts.findByUsername(username);
        boolean ok = hasher.verify(password, account.map(Account::passwordHash).orElse(decoyHash));
        if (account.isEmpty() || !ok) {
            throw new ApiException(401, "BAD_CREDENTIALS", "username or password is wrong");
        }
        return account.get().uid();
    }

    /** Replaces the password of {@code uid} after checking the current one. */
    public void changePassword(long uid, String currentPassword, String newPassword) throws ApiException {
        if (currentPassword == null) {
            throw ApiException.badRequest("currentPassword is required");
        }
        String next = AccountInput.password(newPassword);
        Account account = accounts.findById(uid).orElseThrow(() ->
                new ApiException(404, "NOT_FOUND", "no account with uid " + uid));
        if (!hasher.verify(currentPassword, account.passwordHash())) {
            throw new ApiException(403, "BAD_CREDENTIALS", "the current password is wrong; the password is unchanged");
        }
        accounts.updatePasswordHash(uid, hasher.hash(next), clock.millis());
    }

    public Optional<Account> findByUsername(String username) {
        return accounts.findByUsername(username);
    }

    public Optional<Account> find(long uid) {
        return accounts.findById(uid);
    }

    private static ApiException usernameTaken(String name) {
        return new ApiException(409, "USERNAME_TAKEN", "username '" + name + "' is already registered; choose another");
    }
}
