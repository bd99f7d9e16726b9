package io.magpie.server.faults;

import java.time.Duration;

/**
 * How much traffic a fault scenario drives. The default keeps the whole fault suite within its
 * budget on a small machine; {@code -Dmagpie.soak=true} runs the same scenarios with ten times the
 * messages (see docs/guarantees.md, "Soak").
 *
 * @param messagesPerDevice messages each device sends
 * @param workersPerDevice  concurrent senders per device
 * @param pace              pause of a sender between two messages
 * @param sendDeadline      how long one message may take, resends included, before its sender gives
 *                          up (longer than Kafka's 45 s consumer session timeout, which bounds how long
 *                          a crashed consumer's partitions wait for a new owner)
 * @param streamTimeout     how long one stream of messages may take in all
 * @param settle            how long deliveries may take after the last answer
 */
record Load(int messagesPerDevice, int workersPerDevice, Duration pace, Duration sendDeadline,
        Duration streamTimeout, Duration settle) {

    static final String SOAK_PROPERTY = "magpie.soak";

    static Load current() {
        if (Boolean.getBoolean(SOAK_PROPERTY)) {
            return new Load(500, 2, Duration.ofMillis(5), Duration.ofSeconds(150), Duration.ofMinutes(10),
                    Duration.ofMinutes(3));
        }
        return new Load(50, 2, Duration.ofMillis(20), Duration.ofSeconds(120), Duration.ofSeconds(180),
                Duration.ofSeconds(60));
    }
}
