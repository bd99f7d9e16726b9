package io.magpie.logic.internal;

import io.lettuce.core.ScriptOutputType;
import io.magpie.logic.MediaUploadLimits;
import io.magpie.registry.RedisStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link UploadLimiter} on Redis, so a user's budget holds across every logic instance: per user a one-minute
 * count window and a one-hour byte window ({@code <prefix>upload-limit:n:<uid>}, {@code ...:b:<uid>}), each a
 * fixed window started by the user's first upload in it; one script checks both and counts only an upload both
 * admit. When Redis cannot answer, the upload is admitted (a limiter must not stop messaging) and a warning is
 * logged at most once a minute. Thread-safe: runs on the HTTP threads (blocking).
 */
public final class RedisUploadLimiter implements UploadLimiter {

    private static final Logger log = LoggerFactory.getLogger(RedisUploadLimiter.class);
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);

    /**
     * KEYS: the count and byte windows; ARGV: uploads per minute, bytes per hour (0 = none), this upload's bytes.
     * Returns {0, 0} when admitted (counted), else {1 = count, 2 = bytes, ms until that window ends}.
     */
    static final String ADMIT = """
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            local b = tonumber(redis.call('GET', KEYS[2]) or '0')
            local size = tonumber(ARGV[3])
            local function refuse(which, key)
              local t = redis.call('PTTL', key)
              if t <= 0 then t = 1 end
              return {which, t}
            end
            if tonumber(ARGV[1]) > 0 and n + 1 > tonumber(ARGV[1]) then return refuse(1, KEYS[1]) end
            if tonumber(ARGV[2]) > 0 and b > 0 and b + size > tonumber(ARGV[2]) then return refuse(2, KEYS[2]) end
            if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], 60000) end
            if redis.call('INCRBY', KEYS[2], size) == size then redis.call('PEXPIRE', KEYS[2], 3600000) end
            return {0, 0}""";

    private final LuaScript script;
    private final String prefix;
    private final MediaUploadLimits limits;
    private final WarningThrottle warnings;

    public RedisUploadLimiter(RedisStore store, MediaUploadLimits limits, Clock clock) {
        this.script = new LuaScript(store.strings().sync(), ADMIT);
        this.prefix = store.keys().prefix() + "upload-limit:";
        this.limits = limits;
        this.warnings = new WarningThrottle(clock, WARN_EVERY);
    }

    @Override
    public Optional<Refusal> admit(long uid, long bytes) {
        List<Long> answer;
        try {
            answer = script.run(ScriptOutputType.MULTI, new String[] {prefix + "n:" + uid, prefix + "b:" + uid},
                    Integer.toString(limits.perMinute()), Long.toString(limits.bytesPerHour()), Long.toString(bytes));
        } catch (RuntimeException e) {
            if (warnings.due()) {
                log.warn("[http uid={}] media upload limits could not be counted in Redis; uploads are admitted"
                        + " without a limit (said at most once a minute while it lasts)", uid, e);
            }
            return Optional.empty();
        }
        long which = answer.get(0);
        if (which == 0) {
            return Optional.empty();
        }
        long seconds = Math.max(1, (answer.get(1) + 999) / 1000);
        String over = which == 1
                ? "too many uploads: at most " + limits.perMinute() + " per minute (media.uploads-per-minute="
                        + limits.perMinute() + ")"
                : "too many bytes uploaded: this upload of " + bytes + " bytes would pass " + limits.bytesPerHour()
                        + " per hour (media.upload-bytes-per-hour=" + limits.bytesPerHour() + ")";
        return Optional.of(new Refusal(over + "; nothing was stored: try again in " + seconds + " s", seconds));
    }
}
