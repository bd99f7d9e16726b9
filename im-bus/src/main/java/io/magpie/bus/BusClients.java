package io.magpie.bus;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka client settings every Magpie role uses for the bus, in one place: String keys, protobuf
 * byte values; consumers commit by hand after their work is durable and notice a dead member fast
 * ({@link ConsumerTuning}); producers are idempotent with acks=all so a record the bus acknowledged
 * survives a broker failover. Stateless.
 */
public final class BusClients {

    private BusClients() {
    }

    /** A consumer of a role's consumer group with the {@link ConsumerTuning#DEFAULT default tuning}. */
    public static Properties consumer(String bootstrap, String group, String clientId, int maxPollRecords) {
        return consumer(bootstrap, group, clientId, maxPollRecords, ConsumerTuning.DEFAULT);
    }

    /**
     * A consumer of a role's consumer group: offsets are committed explicitly, never automatically;
     * the classic group protocol with the cooperative-sticky assignor, so a rebalance moves only the
     * partitions that must move and the others keep being consumed meanwhile.
     */
    public static Properties consumer(String bootstrap, String group, String clientId, int maxPollRecords,
            ConsumerTuning tuning) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) tuning.sessionTimeout().toMillis());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) tuning.heartbeatInterval().toMillis());
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) tuning.maxPollInterval().toMillis());
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** An idempotent, acks=all producer. */
    public static Properties producer(String bootstrap, String clientId, int lingerMillis) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMillis);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
