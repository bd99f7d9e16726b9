package io.magpie.logic.internal;

import io.javalin.http.Context;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.magpie.registry.RedisStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LoginLimiter} on Redis, so the limits hold across every logic instance: one fixed window per
 * bucket, {@code INCR} + {@code PEXPIRE} in one script ({@code <prefix>login-limit:<kind>:<bucket>}).
 * Every attempt counts, successful or not (counting only failures would let a burst of concurrent
 * guesses through before the first one fails). When Redis cannot answer, the attempt is refused with
 * 503 {@code SERVER_BUSY}: without the counter the endpoint would be unbounded again. Thread-safe; runs
 * on the HTTP threads (blocking).
 */
public final class RedisLoginLimiter implements LoginLimiter {

    private static final Logger log = LoggerFactory.getLogger(RedisLoginLimiter.class);

    /** For each key: INCR, start the window on the first attempt, return count and remaining ms. */
    static final String COUNT = """
            local out = {}
            for i, key in ipairs(KEYS) do
              local n = redis.call('INCR', key)
              if n == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
              local ttl = redis.call('PTTL', key)
              if ttl < 0 then redis.call('PEXPIRE', key, ARGV[1]); ttl = tonumber(ARGV[1]) end
              out[#out + 1] = n
              out[#out + 1] = ttl
            end
            return out""";

    private final RedisCommands<String, String> redis;
    private final String prefix;
    private final Limits limits;

    /**
     * @param perAccount  login attempts per account and window
     * @param perAddress  login attempts per source address and window
     * @param refreshesPerAddress refresh attempts per source address and window
     * @param window      the window
     */
    public record Limits(int perAccount, int perAddress, int refreshesPerAddress, Duration window) {
    }

    public RedisLoginLimiter(RedisStore store, Limits limits) {
        this.redis = store.strings().sync();
        this.prefix = store.keys().prefix() + "login-limit:";
        this.limits = limits;
    }

    @Override
    public void attempt(Context ctx, Kind kind, String account) throws ApiException {
        String address = ctx.ip();
        List<String> keys = new ArrayList<>(2);
        List<Long> caps = new ArrayList<>(2);
        List<String> names = new ArrayList<>(2);
        if (kind == Kind.LOGIN) {
            keys.add(prefix + "account:" + account.toLowerCase(Locale.ROOT));
            caps.add((long) limits.perAccount());
            names.add("for this account");
            keys.add(prefix + "address:" + address);
            caps.add((long) limits.perAddress());
            names.add("from address " + address);
        } else {
            keys.add(prefix + "refresh:" + address);
            caps.add((long) limits.refreshesPerAddress());
            names.add("to refresh from address " + address);
        }
        List<Long> counts;
        try {
            counts = redis.eval(COUNT, ScriptOutputType.MULTI, keys.toArray(String[]::new),
                    Long.toString(limits.window().toMillis()));
        } catch (RuntimeException e) {
            log.warn("[http {}] login attempt limit could not be counted in Redis; refusing the attempt", address, e);
            throw new ApiException(503, "SERVER_BUSY", "the login attempt limit cannot be checked right now"
                    + " (session store unavailable); try again later");
        }
        for (int i = 0; i < keys.size(); i++) {
            long count = counts.get(2 * i);
            if (count > caps.get(i)) {
                throw LoginLimiter.limited(ctx, names.get(i), caps.get(i), limits.window(), counts.get(2 * i + 1));
            }
        }
    }
}
