package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.logic.MediaUploadLimits;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisStore;
import io.magpie.testkit.InfrastructureExtension;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-user upload budget on a real Redis: two limiters stand for two logic instances, so what one admitted
 * counts for the other; a refused upload counts nothing.
 */
@ExtendWith(InfrastructureExtension.class)
class RedisUploadLimiterIT {

    private RedisStore redis;

    @BeforeEach
    void connect(Infrastructure infra, TestIsolation iso) {
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
    }

    @AfterEach
    void close() {
        redis.close();
    }

    @Test
    void uploadsPerMinuteAreSharedAcrossInstancesAndARefusalNamesTheSetting() {
        MediaUploadLimits limits = new MediaUploadLimits(3, 0);
        RedisUploadLimiter first = new RedisUploadLimiter(redis, limits, Clock.systemUTC());
        RedisUploadLimiter second = new RedisUploadLimiter(redis, limits, Clock.systemUTC());

        assertEquals(Optional.empty(), first.admit(1, 100));
        assertEquals(Optional.empty(), second.admit(1, 100));
        assertEquals(Optional.empty(), first.admit(1, 100));
        UploadLimiter.Refusal refused = second.admit(1, 100).orElseThrow();
        assertTrue(refused.retryAfterSeconds() >= 1 && refused.retryAfterSeconds() <= 60, refused.toString());
        assertTrue(refused.message().startsWith("too many uploads: at most 3 per minute"
                + " (media.uploads-per-minute=3); nothing was stored: try again in "), refused.message());
        assertEquals(Optional.empty(), first.admit(2, 100), "another user has a budget of their own");
    }

    @Test
    void bytesPerHourRefuseWhatWouldPassTheBudgetAndCountOnlyWhatWasTaken() {
        RedisUploadLimiter limiter = new RedisUploadLimiter(redis, new MediaUploadLimits(0, 1_000), Clock.systemUTC());

        assertEquals(Optional.empty(), limiter.admit(3, 600));
        UploadLimiter.Refusal refused = limiter.admit(3, 500).orElseThrow();
        assertTrue(refused.retryAfterSeconds() > 3_000 && refused.retryAfterSeconds() <= 3_600, refused.toString());
        assertTrue(refused.message().contains("this upload of 500 bytes would pass 1000 per hour"
                + " (media.upload-bytes-per-hour=1000)"), refused.message());
        assertEquals(Optional.empty(), limiter.admit(3, 400), "the refused 500 did not count");
        assertEquals(Optional.empty(), limiter.admit(4, 5_000), "one upload above the budget in an unused hour");
        assertTrue(limiter.admit(4, 1).isPresent());
    }

    @Test
    void aRedisThatCannotAnswerAdmitsTheUpload(Infrastructure infra, TestIsolation iso) {
        RedisStore closed = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        RedisUploadLimiter limiter = new RedisUploadLimiter(closed, new MediaUploadLimits(1, 1), Clock.systemUTC());
        closed.close();
        assertEquals(Optional.empty(), limiter.admit(5, 10));
        assertEquals(Optional.empty(), limiter.admit(5, 10));
    }
}
