package io.magpie.gate;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Producer settings suited to a gate, for whoever builds the {@code Producer<String, byte[]>} handed
 * to {@link GateServer}. Stateless.
 */
public final class GateProducers {

    private GateProducers() {
    }

    /**
     * Idempotent, acks=all (a SEND is on every in-sync replica before anyone relies on it), no linger
     * (a SEND leaves at once: under load records still batch while earlier requests are in flight, and
     * a linger only adds its full wait to every message of a quiet conversation), and {@code max.block.ms} of 1 s
     * because {@code send} runs on a gate event loop: when Kafka is unreachable the client gets
     * SERVER_BUSY quickly instead of stalling every connection of that loop for a minute.
     */
    public static Map<String, Object> config(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }
}
