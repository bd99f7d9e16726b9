package io.magpie.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fault controls the delivery fault suite relies on: the embedded Kafka broker stopped and started
 * again in place keeps its topics, records and committed offsets on the same bootstrap address; the
 * MariaDB pid is the server's, so SIGSTOP hangs its queries and SIGCONT lets them finish.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultControlsIT {

    private Infrastructure infra;

    @BeforeAll
    void start() {
        infra = Infrastructure.start(InfrastructureConfig.fromEnvironment(System.getenv()));
    }

    @AfterAll
    void stop() {
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    void kafkaStoppedInPlaceComesBackWithItsRecordsAndCommittedOffsets() throws Exception {
        assumeTrue(infra.kafkaRestartable(), "Kafka is external: the test must not stop it");
        String topic = "restart-" + UUID.randomUUID();
        String group = "g-" + topic;
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "before-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaConsumer<String, String> consumer = consumer(group)) {
            consumer.subscribe(List.of(topic));
            assertEquals(List.of("before-0", "before-1", "before-2"), pollValues(consumer, 3));
            consumer.commitSync(Duration.ofSeconds(10));
        }

        infra.stopKafkaInPlace();
        try (KafkaProducer<String, String> producer = producer()) {
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "k", "during")).get(10, TimeUnit.SECONDS),
                    "a send while the broker is down fails");
            assertTrue(refused.getCause() instanceof org.apache.kafka.common.errors.TimeoutException,
                    "the send timed out: " + refused.getCause());
        } finally {
            infra.startKafkaInPlace();
        }

        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "k", "after")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = consumer(group)) {
            consumer.subscribe(List.of(topic));
            assertEquals(List.of("after"), pollValues(consumer, 1), "the group resumes after its committed offset");
        }
        try (KafkaConsumer<String, String> consumer = consumer("fresh-" + group)) {
            consumer.subscribe(List.of(topic));
            assertEquals(List.of("before-0", "before-1", "before-2", "after"), pollValues(consumer, 4),
                    "the records from before the restart are kept");
        }
    }

    @Test
    void mariadbStoppedBySigstopHangsQueriesUntilSigcont() throws Exception {
        assumeTrue(infra.mysqlRestartable(), "MySQL is external: the test must not signal it");
        long pid = infra.mysqlPid().orElseThrow(() -> new AssertionError("the embedded MariaDB has a pid"));
        assertTrue(ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse("").endsWith("mariadbd"),
                pid + " is mariadbd");
        String url = infra.jdbcUrl("t_fault_controls") + "&socketTimeout=1500&connectTimeout=1500";
        try (Connection c = DriverManager.getConnection(url, infra.mysqlUser(), infra.mysqlPassword())) {
            signal("STOP", pid);
            try {
                assertThrows(SQLException.class, () -> selectOne(c), "a query to a stopped server hangs");
            } finally {
                signal("CONT", pid);
            }
        }
        try (Connection c = DriverManager.getConnection(url, infra.mysqlUser(), infra.mysqlPassword())) {
            assertEquals(1, selectOne(c), "the server answers again after SIGCONT");
        }
    }

    private static int selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000",
                ProducerConfig.LINGER_MS_CONFIG, "0"));
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static List<String> pollValues(KafkaConsumer<String, String> consumer, int count) {
        List<String> values = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < count && System.nanoTime() < end) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
