package io.magpie.testkit;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class InfrastructureIT {

    private final Infrastructure infrastructure;
    private final TestIsolation isolation;

    InfrastructureIT(Infrastructure infrastructure, TestIsolation isolation) {
        this.infrastructure = infrastructure;
        this.isolation = isolation;
    }

    @Test
    void embeddedMysqlIsMariaDb114() throws SQLException {
        assumeTrue(infrastructure.config().externalMysql().isEmpty(), "external MySQL configured");

        try (Connection c = connect(isolation.jdbcUrl());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VERSION(), DATABASE()")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).startsWith("11.4.") && rs.getString(1).contains("MariaDB"),
                    rs.getString(1));
            assertEquals(isolation.database(), rs.getString(2));
        }
    }

    @Test
    void isolatedDatabaseUsesUtf8mb4() throws SQLException {
        try (Connection c = connect(isolation.jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE greeting (id INT PRIMARY KEY, text VARCHAR(20))");
            s.execute("INSERT INTO greeting VALUES (1, '你好 🐦')");
            try (ResultSet rs = s.executeQuery("SELECT text FROM greeting WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals("你好 🐦", rs.getString(1));
            }
        }
    }

    @Test
    void redisSetThenGet() {
        RedisClient client = RedisClient.create(infrastructure.redisUri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String key = isolation.redisKeyPrefix() + "greeting";
            connection.sync().set(key, "hello");

            assertEquals("hello", connection.sync().get(key));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void kafkaRoundTripOnAFreshTopic() throws Exception {
        String topic = isolation.topicPrefix() + "roundtrip";
        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        RecordMetadata sent;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            sent = producer.send(new ProducerRecord<>(topic, "conv-1", "hello")).get();
        }
        Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, isolation.topicPrefix() + "group",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (received.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }

        assertEquals(1, received.size());
        assertEquals("conv-1", received.get(0).key());
        assertEquals("hello", received.get(0).value());
        assertEquals(sent.partition(), received.get(0).partition());
    }

    @Test
    void twoIsolationsDoNotSeeEachOthersTables() throws SQLException {
        TestIsolation a = infrastructure.isolate("InfrastructureIT");
        TestIsolation b = infrastructure.isolate("InfrastructureIT");

        assertNotEquals(a.database(), b.database());
        assertNotEquals(a.redisKeyPrefix(), b.redisKeyPrefix());
        assertNotEquals(a.topicPrefix(), b.topicPrefix());
        try (Connection c = connect(a.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE only_in_a (id INT PRIMARY KEY)");
            s.execute("INSERT INTO only_in_a VALUES (1)");
        }
        try (Connection c = connect(b.jdbcUrl()); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW TABLES")) {
                assertFalse(rs.next(), "database b has a table");
            }
            assertThrows(SQLSyntaxErrorException.class,
                    () -> s.executeQuery("SELECT id FROM only_in_a"));
        }
    }

    @Test
    void jdbcUrlRefusesNamesThatAreNotIdentifiers() {
        assertThrows(IllegalArgumentException.class, () -> infrastructure.jdbcUrl("x`; DROP"));
    }

    @Test
    void describeNamesAllThreeServers() {
        String line = infrastructure.describe();

        assertTrue(line.contains("mariadb") || line.contains("mysql"), line);
        assertTrue(line.contains("redis"), line);
        assertTrue(line.contains("kafka"), line);
        assertFalse(line.contains("\n"), line);
    }

    private Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, infrastructure.mysqlUser(),
                infrastructure.mysqlPassword());
    }

    @Nested
    class NestedClass {

        @Test
        void sharesTheEnclosingClassIsolationAndTheJvmInfrastructure(Infrastructure nested,
                TestIsolation nestedIsolation) {
            assertSame(infrastructure, nested);
            assertEquals(isolation, nestedIsolation);
        }
    }
}
