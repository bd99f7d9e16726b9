package io.magpie.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.magpie.client.ConnectionState;
import io.magpie.server.faults.ChatWorld.Conversation;
import io.magpie.server.faults.ChatWorld.Device;
import io.magpie.server.faults.ClusterHarness.Role;
import io.magpie.server.faults.DeliveryVerifier.Report;
import io.magpie.server.faults.Traffic.Outcome;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delivery guarantees through crashes (issue 4, "How it is checked"): a cluster of separate role
 * processes from the distribution jar (2 logic, 1 router, 2 gates, 1 LSB, see {@link ClusterHarness})
 * carries a stream of messages between 4 users on 6 SDK devices (1:1 conversations between every
 * pair, plus a 3-member group when the logic serves the group API) while one fault happens a third
 * of the way into the stream. Then {@link DeliveryVerifier} checks every SEND_ACK against MySQL and
 * every device's deliveries against the stored timelines, and prints one summary line per fault.
 *
 * <p>Each scenario uses fresh users, so conversations never span scenarios; the cluster is shared
 * and healed (killed processes started again) after each one; the scenarios that damage shared
 * state for good if the product fails them (MySQL, Redis) run last. Every wait is bounded (see
 * {@link Load}); the class takes about 2.5 minutes on 2 cores when the guarantees hold, most of it in
 * the kill-logic and kill-router scenarios, which wait out Kafka's consumer session timeout (a crashed
 * consumer's partitions move only then). {@code -Dmagpie.soak=true}: ten times the messages.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryFaultsIT {

    private static final int PARTITIONS = 4;
    /** Users 0 and 1 on two devices each (phone + desktop), users 2 and 3 on one. */
    private static final int[] DEVICES_PER_USER = {2, 2, 1, 1};
    private static final Map<Role, Integer> TOPOLOGY = Map.of(Role.LOGIC, 2, Role.ROUTER, 1, Role.GATE, 2,
            Role.LSB, 1);

    private final Load load = Load.current();
    private Infrastructure infra;
    private TestIsolation isolation;
    private ClusterHarness cluster;
    private DeliveryVerifier verifier;
    private EventLoopGroup clientLoops;

    @BeforeAll
    void startCluster(Infrastructure infra, TestIsolation isolation) {
        this.infra = infra;
        this.isolation = isolation;
        this.verifier = new DeliveryVerifier(infra, isolation);
        this.clientLoops = new NioEventLoopGroup(2, new DefaultThreadFactory("fault-clients", true));
        cluster = ClusterHarness.create(infra, isolation, PARTITIONS);
        cluster.start("lsb-1", "logic-1", "logic-2", "router-1", "gate-1", "gate-2");
    }

    @AfterEach
    void heal() {
        for (Map.Entry<Role, Integer> wanted : TOPOLOGY.entrySet()) {
            int missing = wanted.getValue() - cluster.running(wanted.getKey()).size();
            String prefix = wanted.getKey().command() + "-";
            for (int n = 1; missing > 0; n++) {
                String name = prefix + n;
                if (!cluster.running(wanted.getKey()).contains(name)) {
                    cluster.start(name);
                    missing--;
                }
            }
        }
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (clientLoops != null) {
            clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void duplicatedUpstreamFramesAndLostPushAcksAreDeliveredOnce() throws Exception {
        try (ChatWorld world = world("dup")) {
            List<SilentDevice> silent = List.of(
                    SilentDevice.connect(cluster, world.user(0), world.user(0).username() + "-mute"),
                    SilentDevice.connect(cluster, world.user(3), world.user(3).username() + "-mute"));
            try {
                Traffic traffic = startedPastAThird(world, "dup");
                Set<String> keys = world.conversations().stream().map(Conversation::id).collect(Collectors.toSet());
                String upstream = isolation.topicPrefix() + "upstream";
                int midStream = UpstreamReplayer.replay(infra.kafkaBootstrap(), upstream, keys);
                List<Outcome> outcomes = traffic.finish();
                int afterwards = UpstreamReplayer.replay(infra.kafkaBootstrap(), upstream, keys);

                Report report = verifier.verify("duplicate-upstream+lost-push-acks", world, outcomes, silent,
                        load.settle()).print();
                System.out.println("[delivery-faults] upstream records replayed: " + midStream + " mid-stream, "
                        + afterwards + " after the stream");
                report.assertHolds(false);
                assertTrue(midStream > 0 && afterwards >= traffic.planned(),
                        "every upstream frame was duplicated (" + midStream + " + " + afterwards + ")");
                assertTrue(report.silentPushes() > report.silentUnique(),
                        "the gate resent pushes whose PUSH_ACK never came (" + report.silentPushes()
                                + " pushes for " + report.silentUnique() + " messages)");
            } finally {
                silent.forEach(SilentDevice::close);
            }
        }
    }

    @Test
    @Order(2)
    void killedLogicHandsItsPartitionsToTheOtherWithoutLossOrDuplicates() throws Exception {
        try (ChatWorld world = world("lg")) {
            Traffic traffic = startedPastAThird(world, "lg");
            List<String> logics = cluster.running(Role.LOGIC);
            assertEquals(2, logics.size(), "two logic processes share the upstream partitions");
            String victim = logics.stream().max(Comparator.comparingLong(l -> conversationsOn(world, l)))
                    .orElseThrow();
            String survivor = logics.stream().filter(l -> !l.equals(victim)).findFirst().orElseThrow();
            Set<Integer> moved = cluster.upstreamPartitionsOf(victim);
            long movedConversations = conversationsOn(world, victim);
            long killedAt = System.nanoTime();
            cluster.kill(victim);
            Set<Integer> all = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
            await().atMost(120, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster.upstreamPartitionsOf(survivor).equals(all));
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("kill-logic", world, outcomes, List.of(), load.settle()).print();
            System.out.println("[delivery-faults] " + victim + " held upstream partitions " + moved + " ("
                    + movedConversations + " of " + world.conversations().size() + " conversations); " + survivor
                    + " took them over");
            System.out.println("[delivery-faults] kill-logic: " + traffic.recoveryAfter(killedAt));
            report.assertHolds(false);
            assertFalse(moved.isEmpty(), victim + " held partitions when it was killed");
        }
    }

    @Test
    @Order(3)
    void killedRouterIsReplacedAndEveryPushArrivesOnce() throws Exception {
        try (ChatWorld world = world("rt")) {
            Traffic traffic = startedPastAThird(world, "rt");
            String victim = cluster.running(Role.ROUTER).get(0);
            long killedAt = System.nanoTime();
            cluster.kill(victim);
            String replacement = "router-" + (Integer.parseInt(victim.substring("router-".length())) + 1);
            cluster.start(replacement);
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("kill-router", world, outcomes, List.of(), load.settle()).print();
            System.out.println("[delivery-faults] " + victim + " killed, " + replacement + " started");
            System.out.println("[delivery-faults] kill-router: " + traffic.recoveryAfter(killedAt));
            report.assertHolds(false);
        }
    }

    @Test
    @Order(4)
    void killedGateClientsReconnectThroughTheLsbAndSyncWhatTheyMissed() throws Exception {
        try (ChatWorld world = world("gw")) {
            Map<String, List<Device>> byGate = world.devices().stream()
                    .collect(Collectors.groupingBy(Device::firstGate));
            String victim = byGate.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size()))
                    .orElseThrow().getKey();
            List<Device> stranded = byGate.get(victim);
            Traffic traffic = startedPastAThird(world, "gw");
            cluster.kill(victim);
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("kill-gate", world, outcomes, List.of(), load.settle()).print();
            System.out.println("[delivery-faults] " + stranded.size() + " of " + world.devices().size()
                    + " devices were on " + victim);
            report.assertHolds(false);
            for (Device d : stranded) {
                assertTrue(d.connectionLosses() > 0, d + " noticed its gate died");
                assertEquals(ConnectionState.CONNECTED, d.client().state(), d + " reconnected");
            }
        }
    }

    @Test
    @Order(5)
    void mysqlDownForThreeSecondsGivesErrorsOrLateAcksButNeverAFalseAck() throws Exception {
        assumeTrue(infra.mysqlRestartable(), "MySQL is external (MAGPIE_MYSQL_URL): the test must not stop it");
        try (ChatWorld world = world("sql")) {
            Traffic traffic = startedPastAThird(world, "sql");
            int ackedBefore = traffic.acked();
            infra.restartMysql(Duration.ofSeconds(3));
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("mysql-down-3s", world, outcomes, List.of(), load.settle()).print();
            System.out.println("[delivery-faults] acked before MySQL stopped: " + ackedBefore);
            report.assertHolds(true);
        }
    }

    @Test
    @Order(6)
    void redisLosingAllItsDataLosesNoMessageAndRoutesComeBack() throws Exception {
        try (ChatWorld world = world("rds")) {
            Traffic traffic = startedPastAThird(world, "rds");
            long deleted = RedisKeys.deleteAll(infra.redisUri(), isolation.redisKeyPrefix());
            assertTrue(deleted > 0, "the flush deleted the deployment's keys");
            // every online device's route is re-asserted by its gate
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                for (Device d : world.devices()) {
                    assertTrue(RedisKeys.hashHas(infra.redisUri(), isolation.redisKeyPrefix() + "route:"
                            + d.user().uid(), d.deviceId()), d + " has its route back");
                }
            });
            // every logic process notices at its next lease renewal that its worker id key is gone;
            // it must hold a worker id again (a lease key per process) to assign ids after that
            int logics = cluster.running(Role.LOGIC).size();
            String leases = isolation.redisKeyPrefix() + "idgen:worker:";
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertEquals(logics, RedisKeys.count(infra.redisUri(), leases), "worker id leases held by the "
                            + logics + " logic processes after the flush; their logs say: "
                            + cluster.logLines("i.m.i.RedisWorkerIdLease")));
            List<Outcome> outcomes = new ArrayList<>(traffic.finish());
            // and the stream goes on after that, seq continuing from MySQL
            Traffic after = traffic(world, "rds2");
            after.start();
            outcomes.addAll(after.finish());
            Report report = verifier.verify("redis-flush", world, outcomes, List.of(), load.settle()).print();
            System.out.println("[delivery-faults] redis keys deleted mid-stream: " + deleted
                    + "; a second stream of " + after.planned() + " messages followed the lease renewals");
            report.assertHolds(false);
        }
    }

    /** A stream started and a third of it acknowledged: the moment each scenario injects its fault. */
    private Traffic startedPastAThird(ChatWorld world, String tag) throws Exception {
        Traffic traffic = traffic(world, tag);
        traffic.start();
        traffic.awaitAcked(traffic.planned() / 3, Duration.ofSeconds(60));
        return traffic;
    }

    private ChatWorld world(String tag) throws Exception {
        return ChatWorld.create(cluster, clientLoops, tag, DEVICES_PER_USER);
    }

    private Traffic traffic(ChatWorld world, String tag) {
        return new Traffic(world, tag, load.messagesPerDevice(), load.workersPerDevice(), load.pace(),
                load.sendDeadline(), load.streamTimeout());
    }

    /** How many of the world's conversations live on the upstream partitions {@code logic} holds. */
    private long conversationsOn(ChatWorld world, String logic) {
        Set<Integer> owned = cluster.upstreamPartitionsOf(logic);
        return world.conversations().stream().filter(c -> owned.contains(partitionOf(c.id()))).count();
    }

    /** Kafka's default partitioner for a keyed record (the gate keys upstream by conversation id). */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }
}
