package io.magpie.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class TopicsIT {

    @Test
    void ensureCreatesMissingTopicsOnceAndIsIdempotent(Infrastructure infra, TestIsolation isolation) throws Exception {
        Topics topics = new Topics(isolation.topicPrefix());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()))) {
            assertEquals(Set.copyOf(topics.all()), topics.ensure(admin, 3));
            assertEquals(Set.of(), topics.ensure(admin, 3), "a second call creates nothing");

            Map<String, TopicDescription> described = admin.describeTopics(topics.all()).allTopicNames().get();
            for (String name : topics.all()) {
                assertEquals(3, described.get(name).partitions().size(), name);
            }
            assertTrue(admin.listTopics().names().get().containsAll(topics.all()));
        }
    }
}
