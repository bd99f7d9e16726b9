package io.magpie.bus;

import java.time.Duration;
import java.util.Objects;

/**
 * How fast a consumer group notices a dead member, how fast it moves partitions when a member joins or
 * leaves, and how long a batch may take. The defaults aim at acknowledgements flowing again within 10 s
 * of a {@code kill -9} of one logic or router process, and within about a second of a graceful join or
 * leave: the coordinator drops a silent member after {@code sessionTimeout} (6 s, the broker's default
 * {@code group.min.session.timeout.ms}; a smaller value is refused by the broker). With the classic group
 * protocol the coordinator cannot call the members: they learn that a rebalance started from their next
 * heartbeat, and a cooperative join takes two rounds (the old owner revokes, then the newcomer is given
 * the partition), each waiting for every member to rejoin. So the moved partitions wait up to a
 * {@code heartbeatInterval} per round: 250 ms keeps a graceful hand-over well under a second (at 1.5 s it
 * took 1.2-1.6 s from revoke to assignment, measured by {@code DeliveryFaultsIT}) for four cheap requests
 * a second per member. The cooperative-sticky assignor lets every member keep consuming the partitions
 * that do not move meanwhile.
 *
 * @param sessionTimeout    {@code session.timeout.ms}: 1 s..5 min
 * @param heartbeatInterval {@code heartbeat.interval.ms}: at most a third of the session timeout
 * @param maxPollInterval   {@code max.poll.interval.ms}: longest batch before the member is taken for
 *                          wedged and its partitions move; at least the session timeout
 */
public record ConsumerTuning(Duration sessionTimeout, Duration heartbeatInterval, Duration maxPollInterval) {

    /** 6 s session, 250 ms heartbeats, 5 min per batch. */
    public static final ConsumerTuning DEFAULT = new ConsumerTuning(Duration.ofSeconds(6), Duration.ofMillis(250),
            Duration.ofMinutes(5));

    public ConsumerTuning {
        Objects.requireNonNull(sessionTimeout, "session-timeout");
        Objects.requireNonNull(heartbeatInterval, "heartbeat-interval");
        Objects.requireNonNull(maxPollInterval, "max-poll-interval");
        if (sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0 || sessionTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("kafka consumer session-timeout must be 1s..5m, got " + sessionTimeout);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()
                || heartbeatInterval.multipliedBy(3).compareTo(sessionTimeout) > 0) {
            throw new IllegalArgumentException("kafka consumer heartbeat-interval " + heartbeatInterval
                    + " must be positive and at most a third of session-timeout " + sessionTimeout);
        }
        if (maxPollInterval.compareTo(sessionTimeout) < 0) {
            throw new IllegalArgumentException("kafka consumer max-poll-interval " + maxPollInterval
                    + " must be at least session-timeout " + sessionTimeout);
        }
    }

    /** The same tuning with a longer {@code max.poll.interval.ms} when {@code atLeast} exceeds it. */
    public ConsumerTuning withMaxPollIntervalAtLeast(Duration atLeast) {
        return atLeast.compareTo(maxPollInterval) > 0
                ? new ConsumerTuning(sessionTimeout, heartbeatInterval, atLeast) : this;
    }
}
