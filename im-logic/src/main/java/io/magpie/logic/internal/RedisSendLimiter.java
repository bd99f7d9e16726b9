package io.magpie.logic.internal;

import io.lettuce.core.ScriptOutputType;
import io.magpie.logic.SendRateLimits;
import io.magpie.registry.RedisStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SendLimiter} on Redis, so a user's budget holds across every gate and logic instance: per user a
 * one-second and a one-minute fixed window ({@code <prefix>send-limit:s:<uid>}, {@code ...:m:<uid>}), each
 * started by the user's first message in it. One script call per batch admits, per sender, as many of the
 * batch's messages as both windows still allow (the first ones in batch order) and counts only those; the rest
 * are refused with the time until the full window ends. A group's {@code @all} messages share one fixed hour
 * ({@code <prefix>mention-all-limit:<groupId>}) counted in member notifications. When Redis cannot answer, the batch is admitted (a
 * limiter must not stop messaging) and a warning is logged at most once a minute. Not thread-safe: called by the
 * upstream consumer's thread only.
 */
public final class RedisSendLimiter implements SendLimiter {

    private static final Logger log = LoggerFactory.getLogger(RedisSendLimiter.class);
    private static final long NO_LIMIT = Long.MAX_VALUE / 4;
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);

    /**
     * KEYS: per sender its second and minute window; ARGV[1], ARGV[2]: the limits; ARGV[2 + i]: messages of
     * sender i. Returns per sender: admitted, and the ms until the full window ends (0 when all were admitted).
     */
    static final String ADMIT = """
            local ps = tonumber(ARGV[1])
            local pm = tonumber(ARGV[2])
            local out = {}
            for i = 1, #KEYS / 2 do
              local ks = KEYS[2 * i - 1]
              local km = KEYS[2 * i]
              local want = tonumber(ARGV[2 + i])
              local cs = tonumber(redis.call('GET', ks) or '0')
              local cm = tonumber(redis.call('GET', km) or '0')
              local admit = math.min(want, ps - cs, pm - cm)
              if admit < 0 then admit = 0 end
              if admit > 0 then
                if redis.call('INCRBY', ks, admit) == admit then redis.call('PEXPIRE', ks, 1000) end
                if redis.call('INCRBY', km, admit) == admit then redis.call('PEXPIRE', km, 60000) end
              end
              local retry = 0
              if admit < want then
                local full = km
                if cs + admit >= ps then full = ks end
                retry = redis.call('PTTL', full)
                if retry <= 0 then retry = 1 end
              end
              out[#out + 1] = admit
              out[#out + 1] = retry
            end
            return out""";

    /**
     * KEYS[1]: the group's hour, KEYS[2]: this message's mark (sender and client msg id); ARGV[1]: the @all's cost
     * (members), ARGV[2]: the budget. Returns 0 when admitted (counted, and marked so a retry of the same batch is
     * not counted again), else the ms until the hour ends. An unused hour admits any cost: a group above the budget
     * gets one.
     */
    static final String ADMIT_MENTION_ALL = """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            local used = tonumber(redis.call('GET', KEYS[1]) or '0')
            local cost = tonumber(ARGV[1])
            if used == 0 or used + cost <= tonumber(ARGV[2]) then
              if redis.call('INCRBY', KEYS[1], cost) == cost then redis.call('PEXPIRE', KEYS[1], 3600000) end
              redis.call('SET', KEYS[2], '1', 'PX', 3600000)
              return 0
            end
            local retry = redis.call('PTTL', KEYS[1])
            if retry <= 0 then retry = 1 end
            return retry""";

    private final LuaScript script;
    private final LuaScript mentionAllScript;
    private final boolean messagesLimited;
    private final String prefix;
    private final String mentionAllPrefix;
    private final int mentionAllMembersPerHour;
    private final String mentionAllBudget;
    private final String perSecond;
    private final String perMinute;
    private final String budget;
    private final WarningThrottle limitWarnings;
    private final WarningThrottle mentionAllWarnings;

    public RedisSendLimiter(RedisStore store, SendRateLimits limits, Clock clock) {
        this.script = new LuaScript(store.strings().sync(), ADMIT);
        this.mentionAllScript = new LuaScript(store.strings().sync(), ADMIT_MENTION_ALL);
        this.messagesLimited = limits.messagesLimited();
        this.prefix = store.keys().prefix() + "send-limit:";
        this.mentionAllPrefix = store.keys().prefix() + "mention-all-limit:";
        this.mentionAllMembersPerHour = limits.mentionAllMembersPerHour();
        this.mentionAllBudget = limits.mentionAllMembersPerHour() + " member notifications per hour for all @all"
                + " messages of a group together (logic.rate-limits.mention-all-members-per-hour="
                + limits.mentionAllMembersPerHour() + ")";
        this.perSecond = Long.toString(limits.perSecond() > 0 ? limits.perSecond() : NO_LIMIT);
        this.perMinute = Long.toString(limits.perMinute() > 0 ? limits.perMinute() : NO_LIMIT);
        this.limitWarnings = new WarningThrottle(clock, WARN_EVERY);
        this.mentionAllWarnings = new WarningThrottle(clock, WARN_EVERY);
        this.budget = (limits.perSecond() > 0 ? limits.perSecond() + " per second" : "")
                + (limits.perSecond() > 0 && limits.perMinute() > 0 ? " and " : "")
                + (limits.perMinute() > 0 ? limits.perMinute() + " per minute" : "")
                + " (logic.rate-limits.messages-per-second=" + limits.perSecond()
                + ", logic.rate-limits.messages-per-minute=" + limits.perMinute() + ")";
    }

    @Override
    public String budget() {
        return budget;
    }

    @Override
    public long[] admit(List<SendCommand> sends) {
        long[] refused = new long[sends.size()];
        if (sends.isEmpty() || !messagesLimited) {
            return refused;
        }
        Map<Long, Integer> wanted = new LinkedHashMap<>();
        for (SendCommand c : sends) {
            wanted.merge(c.senderUid(), 1, Integer::sum);
        }
        List<String> keys = new ArrayList<>(wanted.size() * 2);
        String[] args = new String[2 + wanted.size()];
        args[0] = perSecond;
        args[1] = perMinute;
        int i = 2;
        for (Map.Entry<Long, Integer> e : wanted.entrySet()) {
            keys.add(prefix + "s:" + e.getKey());
            keys.add(prefix + "m:" + e.getKey());
            args[i++] = Integer.toString(e.getValue());
        }
        List<Long> answer;
        try {
            answer = script.run(ScriptOutputType.MULTI, keys.toArray(String[]::new), args);
        } catch (RuntimeException e) {
            if (limitWarnings.due()) {
                log.warn("[logic] per-user message limits could not be counted in Redis; {} messages of {} senders"
                        + " admitted without a limit (said at most once a minute while it lasts)", sends.size(),
                        wanted.size(), e);
            }
            return refused;
        }
        Map<Long, long[]> left = new LinkedHashMap<>();
        int k = 0;
        for (Long uid : wanted.keySet()) {
            left.put(uid, new long[] {answer.get(2 * k), answer.get(2 * k + 1)});
            k++;
        }
        for (int j = 0; j < sends.size(); j++) {
            long[] budget = left.get(sends.get(j).senderUid());
            if (budget[0] > 0) {
                budget[0]--;
            } else {
                refused[j] = Math.max(1, budget[1]);
            }
        }
        return refused;
    }

    @Override
    public String mentionAllBudget() {
        return mentionAllBudget;
    }

    @Override
    public long admitMentionAll(long groupId, int members, long senderUid, String clientMsgId) {
        if (mentionAllMembersPerHour == 0) {
            return 0;
        }
        try {
            Long retry = mentionAllScript.run(ScriptOutputType.INTEGER, new String[] {mentionAllPrefix + groupId,
                    mentionAllPrefix + groupId + ":m:" + senderUid + ":" + clientMsgId},
                    Integer.toString(Math.max(1, members)), Integer.toString(mentionAllMembersPerHour));
            return retry == null ? 0 : retry;
        } catch (RuntimeException e) {
            if (mentionAllWarnings.due()) {
                log.warn("[logic] the @all budget of group {} could not be counted in Redis; its @all admitted"
                        + " without a limit (said at most once a minute while it lasts)", groupId, e);
            }
            return 0;
        }
    }
}
