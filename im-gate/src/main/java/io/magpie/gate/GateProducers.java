package io.magpie.gate;

import io.magpie.bus.BusClients;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Producer settings suited to a gate (the bus's {@link BusClients#producer} plus the bounds below), for whoever builds the {@code Producer<String, byte[]>} handed
 * to {@link GateServer}. Stateless.
 */
public final class GateProducers {

    private GateProducers() {
    }

    /**
     * Idempotent, acks=all (a SEND is on every in-sync replica before anyone relies on it), no linger
     * (a SEND leaves at once: under load records still batch while earlier requests are in flight, and
     * a linger only adds its full wait to every message of a quiet conversation), and {@code max.block.ms} of 1 s:
     * the gate calls {@code send} from its own send thread, never an event loop, but every request behind
     * a blocked send waits too, so when Kafka is unreachable the gate's bound on waiting requests
     * ({@code gate.limits.publish-buffer-bytes}, default 16 MiB) is reached within seconds and clients
     * get a retryable SERVER_BUSY instead of waiting a minute. {@code buffer.memory} is 32 MiB, above
     * that bound, so the gate's own records never fill it.
     */
    public static Map<String, Object> config(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        BusClients.producer(bootstrapServers, "magpie-gate", 0).forEach((k, v) -> config.put((String) k, v));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L << 20);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        return config;
    }
}
