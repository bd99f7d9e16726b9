package io.magpie.bench.internal.load;

import io.magpie.client.AccountClient;
import io.magpie.client.Credentials;
import io.magpie.protocol.proto.Platform;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers the users of a run up front, {@code bench_<run>_<n>}, and logs each in once (one device
 * each) through the account API, with bounded parallelism. Every failure stops the set-up with the
 * server's answer. Logins are slow by design (PBKDF2), so a large fleet takes a while; see
 * docs/benchmarks.md for the setting a bench server can lower.
 */
public final class BenchUsers {

    /** A registered, logged-in bench user. */
    public record User(int index, String username, String deviceId, Credentials credentials) {
        public long uid() {
            return credentials.uid();
        }
    }

    private final AccountClient accounts;
    private final String runId;
    private final String password;
    private final int parallelism;
    private final Duration deadline;
    private final PrintStream out;

    public BenchUsers(AccountClient accounts, String runId, int parallelism, Duration deadline, PrintStream out) {
        this.accounts = accounts;
        this.runId = runId;
        this.password = "bench-pw-" + runId;
        this.parallelism = parallelism;
        this.deadline = deadline;
        this.out = out;
    }

    public static String username(String runId, int n) {
        return "bench_" + runId + "_" + n;
    }

    /** Registers and logs in users 0..count-1. */
    public List<User> create(int count) {
        long t0 = System.nanoTime();
        List<Long> uids = BoundedAsync.run("registering " + count + " users", count, parallelism, deadline,
                n -> accounts.registerAsync(username(runId, n), password, "bench " + n),
                done -> out.printf("  registered %d/%d users%n", done, count));
        List<Credentials> creds = BoundedAsync.run("logging in " + count + " users", count, parallelism, deadline,
                n -> accounts.loginAsync(username(runId, n), password, deviceId(n), Platform.DESKTOP),
                done -> out.printf("  logged in %d/%d users%n", done, count));
        List<User> users = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            if (creds.get(n).uid() != uids.get(n)) {
                throw new IllegalStateException("login of " + username(runId, n) + " returned uid " + creds.get(n).uid()
                        + " but registering it returned " + uids.get(n));
            }
            users.add(new User(n, username(runId, n), deviceId(n), creds.get(n)));
        }
        out.printf("  %d users registered and logged in in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);
        return users;
    }

    /**
     * Tokens for {@code total} devices spread over {@code users}: device {@code j} belongs to user
     * {@code j % users.size()}; the first round reuses each user's existing login, the others log in anew
     * (device ids {@code bench-<run>-<n>-d<round>}).
     */
    public List<String> deviceTokens(List<User> users, int total) {
        int u = users.size();
        List<String> tokens = new ArrayList<>(total);
        for (int j = 0; j < Math.min(u, total); j++) {
            tokens.add(users.get(j).credentials().token());
        }
        if (total > u) {
            int extra = total - u;
            List<Credentials> more = BoundedAsync.run("logging in " + extra + " more devices", extra, parallelism,
                    deadline, i -> {
                        int j = u + i;
                        User user = users.get(j % u);
                        return accounts.loginAsync(user.username(), password, user.deviceId() + "-d" + (j / u),
                                Platform.DESKTOP);
                    }, done -> out.printf("  logged in %d/%d more devices%n", done, extra));
            more.forEach(c -> tokens.add(c.token()));
        }
        return tokens;
    }

    private String deviceId(int n) {
        return "bench-" + runId + "-" + n;
    }
}
