package io.magpie.router.notify;

import io.magpie.bus.Topics;
import io.magpie.das.Database;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.MuteSettings;
import io.magpie.das.MysqlConfig;
import io.magpie.das.UnreadCounts;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A running notifier for the push providers' ITs, over the test's real Kafka and MySQL: the topics, the
 * device-token table, the built-in registry with the provider the test configures, the worker, and a
 * producer to put offline tasks on the topic. Retries are quick (3 attempts, 50-200 ms) so the tests'
 * throttling and failure cases end in seconds.
 */
final class NotifierFixture implements AutoCloseable {

    final Topics topics;
    final Database database;
    final DeviceTokenRepository tokens;
    final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final PushNotifierRegistry registry;
    private final NotifierService service;

    /** @param provider sets the provider under test on the notifier's configuration (e.g. {@code b -> b.apns(..)}) */
    NotifierFixture(Infrastructure infra, TestIsolation iso, UnaryOperator<NotifierConfig.Builder> provider) {
        topics = new Topics(iso.topicPrefix());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
        topics.ensure(admin, 1);
        database = Database.open(new MysqlConfig(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2));
        tokens = new DeviceTokenRepository(database.dataSource());
        NotifierConfig config = provider.apply(NotifierConfig.builder(infra.kafkaBootstrap())
                .topicPrefix(iso.topicPrefix())
                .maxAttempts(3)
                .retryBackoffMin(Duration.ofMillis(50))
                .retryBackoffMax(Duration.ofMillis(200)))
                .build();
        registry = PushNotifierRegistry.builtIn(config);
        service = new NotifierService(config, tokens, new MuteSettings(database.dataSource()),
                new MessageRepository(database.dataSource()), new UnreadCounts(database.dataSource()), registry)
                .start();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {producer, service, registry, admin, database}) {
            c.close();
        }
    }
}
