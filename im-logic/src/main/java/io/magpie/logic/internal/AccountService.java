package io.magpie.logic.internal;

import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.DuplicateUsernameException;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Platform;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Step 1: register accounts and log them in. A login checks the password against the slow salted
 * hash and issues a signed token (uid, device, platform, expiry) that every gate verifies locally.
 * Unknown user and wrong password get the same answer and take about the same time, so the API does
 * not tell which usernames exist. Storage faults surface as {@link io.magpie.das.StorageException}.
 * Thread-safe; blocking (JDBC): runs on the HTTP server's threads.
 */
public final class AccountService {

    private final AccountRepository accounts;
    private final IdGenerator uids;
    private final PasswordHasher hasher;
    private final TokenCodec tokens;
    private final Duration tokenTtl;
    private final Clock clock;
    /** Verified when the username is unknown, so that answer costs a hash like a wrong password. */
    private final String decoyHash;

    public AccountService(AccountRepository accounts, IdGenerator uids, PasswordHasher hasher, TokenCodec tokens,
            Duration tokenTtl, Clock clock) {
        this.accounts = accounts;
        this.uids = uids;
        this.hasher = hasher;
        this.tokens = tokens;
        this.tokenTtl = tokenTtl;
        this.clock = clock;
        this.decoyHash = hasher.hash("decoy password, never matches a login");
    }

    /** A token handed to a logged-in device. */
    public record Session(long uid, String token, long expiresAtMillis) {
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

    public Session login(String username, String password, String deviceId, String platform)
            throws ApiException {
        if (username == null || password == null) {
            throw ApiException.badRequest("username and password are required");
        }
        String device = AccountInput.deviceId(deviceId);
        Platform plat = AccountInput.platform(platform);
        Optional<Account> account = accounts.findByUsername(username);
        boolean ok = hasher.verify(password, account.map(Account::passwordHash).orElse(decoyHash));
        if (account.isEmpty() || !ok) {
            throw new ApiException(401, "BAD_CREDENTIALS", "username or password is wrong");
        }
        long uid = account.get().uid();
        long expiresAt = clock.millis() + tokenTtl.toMillis();
        String token = tokens.issue(new TokenClaims(uid, device, plat, expiresAt));
        return new Session(uid, token, expiresAt);
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
