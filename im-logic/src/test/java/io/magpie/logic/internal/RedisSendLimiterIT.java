package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.logic.SendRateLimits;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisStore;
import io.magpie.testkit.InfrastructureExtension;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-user message budget on a real Redis: two limiters stand for two logic instances (each behind its own
 * gates), so what one admitted counts for the other.
 */
@ExtendWith(InfrastructureExtension.class)
class RedisSendLimiterIT {

    private RedisStore redis;

    @BeforeEach
    void connect(Infrastructure infra, TestIsolation iso) {
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
    }

    @AfterEach
    void close() {
        redis.close();
    }

    private static List<SendCommand> sends(long uid, int n) {
        List<SendCommand> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new SendRequestParser().parse(Sends.envelope(uid, 3, 11, Sends.text("c" + uid + "-" + i,
                    uid + 1000, "m" + i))) instanceof SendRequestParser.Accepted a ? a.command() : null);
        }
        return out;
    }

    @Test
    void twoInstancesShareOneBudgetPerUserAndAdmitTheFirstOnesOfABatch() {
        SendRateLimits limits = new SendRateLimits(5, 8);
        RedisSendLimiter first = new RedisSendLimiter(redis, limits, Clock.systemUTC());
        RedisSendLimiter second = new RedisSendLimiter(redis, limits, Clock.systemUTC());

        long[] a = first.admit(sends(1, 3));
        assertArrayEquals(new long[3], a, "3 of 5 per second");
        long[] b = second.admit(sends(1, 4));
        assertEquals(0, b[0]);
        assertEquals(0, b[1]);
        assertTrue(b[2] > 0 && b[2] <= 1000, "the per-second window refuses the sixth with its remaining time: "
                + b[2]);
        assertTrue(b[3] > 0);
        assertArrayEquals(new long[2], first.admit(sends(2, 2)), "another user has a budget of their own");
        assertTrue(first.budget().contains("5 per second and 8 per minute"), first.budget());
    }

    @Test
    void thePerMinuteWindowRefusesWithTheMinutesRemainingTime() throws InterruptedException {
        RedisSendLimiter limiter = new RedisSendLimiter(redis, new SendRateLimits(0, 4), Clock.systemUTC());
        long[] r = limiter.admit(sends(3, 6));
        assertEquals(0, LongStream.of(r).limit(4).sum());
        assertTrue(r[4] > 1000 && r[4] <= 60_000, "retry after the minute's remaining time: " + r[4]);
        assertTrue(limiter.admit(sends(3, 1))[0] > 0, "still refused: refusals do not count, the window is full");
    }

    @Test
    void atAllSpendsTheGroupsHourByItsMemberCountAcrossInstances() {
        SendRateLimits limits = new SendRateLimits(0, 0, 1000);
        RedisSendLimiter first = new RedisSendLimiter(redis, limits, Clock.systemUTC());
        RedisSendLimiter second = new RedisSendLimiter(redis, limits, Clock.systemUTC());

        assertEquals(0, first.admitMentionAll(7, 400, 1, "a"));
        assertEquals(0, second.admitMentionAll(7, 400, 2, "a"));
        assertEquals(0, first.admitMentionAll(7, 400, 2, "a"), "a retried batch's same message is not counted again");
        long retry = first.admitMentionAll(7, 400, 1, "b");
        assertTrue(retry > 59 * 60_000 && retry <= 3_600_000, "1,200 would exceed 1,000: the hour's rest " + retry);
        assertEquals(0, second.admitMentionAll(7, 200, 1, "b"), "a cheaper one still fits: refusals do not count");
        assertEquals(0, first.admitMentionAll(8, 5000, 1, "c"), "a group above the budget gets one in an unused hour");
        assertTrue(second.admitMentionAll(8, 5000, 1, "d") > 0, "and only one");
        assertArrayEquals(new long[3], first.admit(sends(5, 3)), "no per-user message limit is set");
        assertTrue(first.mentionAllBudget().contains("mention-all-members-per-hour=1000"), first.mentionAllBudget());
    }

    @Test
    void aRedisThatCannotAnswerAdmitsTheBatch(Infrastructure infra, TestIsolation iso) {
        RedisStore closed = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        RedisSendLimiter limiter = new RedisSendLimiter(closed, new SendRateLimits(1, 1), Clock.systemUTC());
        closed.close();
        assertArrayEquals(new long[3], limiter.admit(sends(4, 3)));
        assertEquals(0, limiter.admitMentionAll(9, 10, 1, "e"));
    }
}
