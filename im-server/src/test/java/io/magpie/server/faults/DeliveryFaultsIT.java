package io.magpie.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * of the way into the stream: a crash ({@code kill -9} of a role, or of every role at once), a hang
 * ({@code SIGSTOP} of a gate, of a logic inside a MySQL transaction, of MariaDB; see {@link Signals}),
 * an engine outage (MariaDB or the Kafka broker stopped and started in place) or lost data (Redis). Then {@link DeliveryVerifier} checks every SEND_ACK against MySQL and
 * every device's deliveries against the stored timelines, and prints one summary line per fault.
 *
 * <p>Each scenario uses fresh users, so conversations never span scenarios; the cluster is shared
 * and healed (killed processes started again) after each one; the scenarios that damage shared
 * state for good if the product fails them (MySQL, Redis, Kafka) run last. Every wait is bounded (see
 * {@link Load}); the pauses and outages last fixed times (20 s gate, 10 s MariaDB, 10 s Kafka), the
 * logic pause until the other logic has claimed its partitions. {@code -Dmagpie.soak=true}: ten times
 * the messages.
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

    private static final Duration GATE_PAUSE = Duration.ofSeconds(10);
    private static final Duration MYSQL_PAUSE = Duration.ofSeconds(10);
    private static final Duration KAFKA_DOWN = Duration.ofSeconds(10);
    private static final Duration LOGIC_PAUSE_PACE = Duration.ofMillis(300);
    /** Between one device worker's sends while logic is frozen inside a transaction (see that test). */
    private static final Duration FREEZE_PACE = Duration.ofMillis(150);
    /** What ConsumerLoop logs when a newly assigned partition's first batch is done. */
    private static final String HAND_OVER = "first batch of";
    private static final Pattern HAND_OVER_WAIT = Pattern.compile("the oldest produced (\\d+) ms ago");
    /**
     * Longest a moved partition's oldest record may wait across a graceful hand-over (produced before the move,
     * handled by the new owner): at most 1.24-1.6 s measured with 250 ms heartbeats on a loaded 2-core box (JVMs
     * ready in 30-40 s; most of it the newcomer's first fetch and batch in a cold JVM), 2.5-3x that here. It does
     * not tell the former 1.5 s heartbeats (1.6-2.7 s) apart; it fails a hand-over that waits for a timeout (the
     * 6 s session, the 5 s fence idle bound) as a kill -9 does.
     */
    private static final Duration HAND_OVER_LIMIT = Duration.ofSeconds(4);
    /** What a fence claim logs when it has to wait for a write transaction of the previous owner. */
    private static final String CLAIM_WAITED = "a write transaction of the previous owner still holds the fence";
    /** A PONG later than this while Kafka is down means a gate event loop waits for Kafka. */
    private static final Duration PONG_LIMIT = Duration.ofSeconds(3);

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
    @Order(9)
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
    @Order(10)
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

    @Test
    @Order(5)
    void pausedGateDelaysOnlyItsOwnUsersWhoGetEverythingAfterwards() throws Exception {
        try (ChatWorld world = world("gp")) {
            Map<String, List<Device>> byGate = world.devices().stream()
                    .collect(Collectors.groupingBy(Device::firstGate));
            // the victim: a gate whose absence leaves devices of two users who share a conversation elsewhere
            String victim = byGate.keySet().stream()
                    .filter(g -> world.devices().stream().filter(d -> !d.firstGate().equals(g))
                            .map(d -> d.user().uid()).distinct().count() >= 2)
                    .max(Comparator.comparingInt(g -> byGate.get(g).size()))
                    .orElseThrow(() -> new AssertionError("no gate leaves two users elsewhere: " + byGate));
            Set<Device> stranded = Set.copyOf(byGate.get(victim));
            Predicate<Device> elsewhere = d -> !stranded.contains(d);
            Traffic traffic = startedPastAThird(world, "gp");
            int ackedBefore = traffic.ackedBy(elsewhere);
            int deliveredBefore = delivered(world, elsewhere);
            long pausedAt;
            long resumedAt;
            int ackedDuring;
            int deliveredDuring;
            try (Signals.Paused pause = Signals.pause(cluster.process(victim).pid())) {
                pausedAt = pause.pausedAt();
                Thread.sleep(GATE_PAUSE.toMillis());
                // read while the gate is still stopped: what the other gates' users got meanwhile
                ackedDuring = traffic.ackedBy(elsewhere) - ackedBefore;
                deliveredDuring = delivered(world, elsewhere) - deliveredBefore;
            }
            resumedAt = System.nanoTime();
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("gate-paused-" + GATE_PAUSE.toSeconds() + "s", world, outcomes, List.of(),
                    load.settle()).print();
            long settled = System.nanoTime();
            System.out.println("[delivery-faults] " + victim + " paused (SIGSTOP) for " + GATE_PAUSE.toSeconds()
                    + " s with " + stranded.size() + " of " + world.devices().size() + " devices; during the pause"
                    + " the other gates' devices got " + ackedDuring + " SEND_ACKs and " + deliveredDuring
                    + " deliveries; reconnections of the paused gate's devices: " + stranded.stream()
                    .mapToInt(Device::connectionLosses).sum());
            printRecovery("gate-paused-" + GATE_PAUSE.toSeconds() + "s", traffic, pausedAt, resumedAt, settled);
            report.assertHolds(false);
            assertTrue(ackedDuring > 0, "the other gates' users were acknowledged while " + victim + " was stopped");
            assertTrue(deliveredDuring > 0, "the other gates' users got deliveries while " + victim
                    + " was stopped");
            for (Device d : stranded) {
                assertEquals(ConnectionState.CONNECTED, d.client().state(), d + " is connected again");
            }
            assertEveryRoleRuns();
        }
    }

    @Test
    @Order(6)
    void logicPausedInsideATransactionIsFencedOutAndNothingIsStoredTwice() throws Exception {
        try (ChatWorld world = world("lp")) {
            // a stream of about 25 s: the freezer needs the victim busy with batches for as long as its attempts may
            // last (up to 250 of about 135 ms; an 8 s stream ended before an unlucky freezer landed), and its odds per
            // attempt grow with the share of time the writer spends inside a transaction: since the writer keeps its
            // session and overlaps batches that share is small at 300 ms between sends, and 150 attempts missed
            // (2 of 3 clean-clone runs on 5 Dec), so twice the sends at half the pace
            Traffic traffic = new Traffic(world, "lp", Math.max(300, load.messagesPerDevice()), load.workersPerDevice(),
                    FREEZE_PACE, load.sendDeadline(), load.streamTimeout());
            traffic.start();
            traffic.awaitAcked(world.devices().size(), Duration.ofSeconds(60));
            List<String> logics = cluster.running(Role.LOGIC);
            assertEquals(2, logics.size(), "two logic processes share the upstream partitions");
            String victim = logics.stream().max(Comparator.comparingLong(l -> conversationsOn(world, l)))
                    .orElseThrow();
            String survivor = logics.stream().filter(l -> !l.equals(victim)).findFirst().orElseThrow();
            Set<Integer> moved = cluster.upstreamPartitionsOf(victim);
            MysqlSessions sessions = new MysqlSessions(infra, isolation);
            String upstream = isolation.topicPrefix() + "upstream";
            Map<Integer, MysqlSessions.Fence> fencesBefore = sessions.fences(upstream);
            RoleProcess process = cluster.process(victim);
            Set<Integer> all = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
            long pausedAt;
            long resumedAt;
            int logBefore;
            TransactionFreezer.Frozen frozen = new TransactionFreezer(sessions)
                    .freezeInsideTransaction(process.pid(), 250);
            try (Signals.Paused pause = frozen.pause()) {
                pausedAt = pause.pausedAt();
                // the consumer session expires, the survivor claims the partitions once MySQL has closed the
                // frozen session (logic.write-idle-timeout) and rolled its transaction back
                await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    assertEquals(all, cluster.upstreamPartitionsOf(survivor), survivor + " owns every partition");
                    Map<Integer, MysqlSessions.Fence> now = sessions.fences(upstream);
                    for (int p : moved) {
                        assertTrue(now.get(p).epoch() > fencesBefore.get(p).epoch(), "partition " + p
                                + " claimed again: " + fencesBefore.get(p) + " -> " + now.get(p));
                    }
                });
                for (MysqlSessions.OpenTransaction t : frozen.transactions()) {
                    assertFalse(sessions.sessionAlive(t.threadId()), "MySQL closed the frozen session " + t
                            + " (and rolled its transaction back) while " + victim + " was stopped");
                }
                logBefore = process.logText().length();
            }
            resumedAt = System.nanoTime();
            // the stale writer resumes by itself: it rejoins the group and gets partitions again
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                    .until(() -> !cluster.upstreamPartitionsOf(victim).isEmpty());
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("logic-paused-in-transaction", world, outcomes, List.of(),
                    load.settle()).print();
            long settled = System.nanoTime();
            String afterResume = process.logText().substring(logBefore);
            // its first write after SIGCONT is refused by the fence, unless the group told it first that its
            // partitions were lost (then it writes nothing for them); either way it stores nothing stale
            List<String> refusals = afterResume.lines().filter(l -> l.contains("claimed by another instance")
                    || l.contains("partitions lost") || l.contains("not done")).toList();
            boolean fenced = refusals.stream().anyMatch(l -> l.contains("claimed by another instance")
                    || l.contains("partitions lost"));
            System.out.println("[delivery-faults] " + victim + " stopped inside " + frozen.transactions() + " at attempt "
                    + frozen.attempts() + ", holding upstream partitions " + moved + " (" + conversationsOn(world, survivor)
                    + " conversations on " + survivor + " afterwards); after SIGCONT it logged:\n  "
                    + String.join("\n  ", refusals.stream().limit(8).toList()));
            printRecovery("logic-paused-in-transaction", traffic, pausedAt, resumedAt, settled);
            report.assertHolds(false);
            assertTrue(fenced, victim + " was refused by the fence (or told its partitions were lost) after SIGCONT;"
                    + " it logged " + refusals);
            assertEveryRoleRuns();
        }
    }

    @Test
    @Order(7)
    void everyRoleRestartedAtOnceLosesNothingAcknowledged() throws Exception {
        try (ChatWorld world = world("all")) {
            Traffic traffic = startedPastAThird(world, "all");
            List<String> everyone = new ArrayList<>();
            for (Role role : Role.values()) {
                everyone.addAll(cluster.running(role));
            }
            long killedAt = System.nanoTime();
            everyone.forEach(cluster::kill);
            cluster.start(everyone.toArray(String[]::new));
            long startedAt = System.nanoTime();
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("all-roles-restarted", world, outcomes, List.of(), load.settle()).print();
            long settled = System.nanoTime();
            System.out.println("[delivery-faults] killed (-9) and started again at once: " + everyone
                    + "; ready again " + (startedAt - killedAt) / 1_000_000 + " ms after the kill");
            printRecovery("all-roles-restarted", traffic, killedAt, startedAt, settled);
            report.assertHolds(false);
            for (Device d : world.devices()) {
                assertTrue(d.connectionLosses() > 0, d + " noticed its gate died");
                assertEquals(ConnectionState.CONNECTED, d.client().state(), d + " reconnected");
            }
            assertEveryRoleRuns();
        }
    }

    @Test
    @Order(8)
    void mysqlHungBySigstopForTenSecondsLosesNothingAndEveryRoleResumes() throws Exception {
        assumeTrue(infra.mysqlRestartable(), "MySQL is external (MAGPIE_MYSQL_URL): the test must not stop it");
        long pid = infra.mysqlPid().orElseThrow(() -> new AssertionError("the embedded MariaDB has a pid"));
        try (ChatWorld world = world("sqlp")) {
            Traffic traffic = startedPastAThird(world, "sqlp");
            int ackedBefore = traffic.acked();
            long pausedAt;
            int ackedDuring;
            try (Signals.Paused pause = Signals.pause(pid)) {
                pausedAt = pause.pausedAt();
                Thread.sleep(MYSQL_PAUSE.toMillis());
                ackedDuring = traffic.acked() - ackedBefore;
            }
            long resumedAt = System.nanoTime();
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("mysql-paused-10s", world, outcomes, List.of(), load.settle()).print();
            long settled = System.nanoTime();
            System.out.println("[delivery-faults] acked before MariaDB (pid " + pid + ") was stopped: " + ackedBefore
                    + ", while it was stopped: " + ackedDuring + "; failed attempts " + traffic.failures());
            printRecovery("mysql-paused-10s", traffic, pausedAt, resumedAt, settled);
            report.assertHolds(false);
            assertEveryRoleRuns();
        }
    }

    @Test
    @Order(11)
    void kafkaBrokerRestartedInPlaceHoldsOrRefusesSendsAndEveryRoleResumes() throws Exception {
        assumeTrue(infra.kafkaRestartable(), "Kafka is external (MAGPIE_KAFKA_BOOTSTRAP): the test must not stop it");
        try (ChatWorld world = world("kfk")) {
            List<GateProbe> probes = new ArrayList<>();
            for (String gate : cluster.running(Role.GATE)) {
                probes.add(GateProbe.connect(cluster, gate, "kfk_probe_" + gate.replace('-', '_') + "_"
                        + Long.toString(System.nanoTime() % 1_000_000, 36)));
            }
            try {
                Traffic traffic = startedPastAThird(world, "kfk");
                int ackedBefore = traffic.acked();
                long stoppedAt = System.nanoTime();
                infra.stopKafkaInPlace();
                Duration slowestPong = Duration.ZERO;
                int pings = 0;
                try {
                    long end = System.nanoTime() + KAFKA_DOWN.toNanos();
                    while (System.nanoTime() < end) {
                        for (GateProbe probe : probes) {
                            Duration rtt = probe.ping(PONG_LIMIT);
                            assertNotNull(rtt, probe.gate() + " answered PING within " + PONG_LIMIT
                                    + " while Kafka was down (its event loops are not blocked)");
                            slowestPong = rtt.compareTo(slowestPong) > 0 ? rtt : slowestPong;
                            pings++;
                        }
                        Thread.sleep(500);
                    }
                } finally {
                    infra.startKafkaInPlace();
                }
                long startedAt = System.nanoTime();
                int ackedDuring = traffic.acked() - ackedBefore;
                List<Outcome> outcomes = traffic.finish();
                Report report = verifier.verify("kafka-restarted", world, outcomes, List.of(), load.settle()).print();
                long settled = System.nanoTime();
                System.out.println("[delivery-faults] Kafka down " + (startedAt - stoppedAt) / 1_000_000
                        + " ms (stop, " + KAFKA_DOWN.toSeconds() + " s, start); acked before " + ackedBefore
                        + ", while down " + ackedDuring + "; " + pings + " PINGs to the gates meanwhile, slowest PONG "
                        + slowestPong.toMillis() + " ms; failed attempts " + traffic.failures());
                printRecovery("kafka-restarted", traffic, stoppedAt, startedAt, settled);
                report.assertHolds(false);
                assertEveryRoleRuns();
            } finally {
                for (GateProbe probe : probes) {
                    probe.close();
                }
            }
        }
    }

    /** Every role process of the topology still runs (none exited), and the LSB lists every gate. */
    /**
     * Issue 12, scaling out and in while messages flow: a logic, a router and a gate join mid-stream (the logic
     * takes partitions over by a cooperative rebalance, the LSB hands the next client to the empty gate), then
     * the original logic, router and gate leave the way an operator removes them (SIGTERM: the logic commits and
     * hands its partitions over, the gate drains its clients to the others). Nothing is lost or delivered twice;
     * the SDK's suppressed duplicates (pushes replayed by a rebalance) are printed.
     */
    @Test
    @Order(12)
    void scalingOutAndInUnderTrafficLosesNothing() throws Exception {
        try (ChatWorld world = world("sc")) {
            String oldLogic = cluster.running(Role.LOGIC).get(0);
            String oldRouter = cluster.running(Role.ROUTER).get(0);
            String oldGate = cluster.running(Role.GATE).get(0);
            // a slow stream (about 45 s at this pace) that outlasts the three starts and the three stops
            Traffic traffic = new Traffic(world, "sc", Math.max(300, load.messagesPerDevice()), load.workersPerDevice(),
                    LOGIC_PAUSE_PACE, load.sendDeadline(), load.streamTimeout());
            traffic.start();
            traffic.awaitAcked(world.devices().size(), Duration.ofSeconds(60));
            Set<String> earlierHandOvers = Set.copyOf(cluster.logLines(HAND_OVER));
            Set<String> earlierClaimWaits = Set.copyOf(cluster.logLines(CLAIM_WAITED)); // an earlier scenario's
            long joinStart = System.nanoTime();
            cluster.start("logic-7", "router-7", "gate-7");
            // the newcomer has no connection yet: least loaded relative to its capacity. Another gate may be idle
            // too (the world's devices all landed on one gate while the other was out); idle gates tie and take
            // turns, so the newcomer comes up within as many asks as there are idle gates.
            Map<String, Double> loads = cluster.relativeLoads();
            long idle = loads.values().stream().filter(l -> l == 0).count();
            List<String> handed = new ArrayList<>();
            for (int ask = 0; ask < Math.max(1, idle) && !handed.contains("gate-7"); ask++) {
                handed.add(cluster.lsbChoice());
            }
            assertTrue(handed.contains("gate-7"), "the LSB hands a new client to the gate that just joined; loads "
                    + loads + ", it handed out " + handed);
            for (String gate : handed) {
                assertEquals(0.0, loads.get(gate), "the LSB handed out " + gate + " before the idle newcomer; loads "
                        + loads);
            }
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
                    .until(() -> !cluster.upstreamPartitionsOf("logic-7").isEmpty());
            long joinEnd = System.nanoTime();
            // the newcomer's first batch of a moved partition (traffic flows on every partition)
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).until(() ->
                    newLines(cluster.logLines(HAND_OVER), earlierHandOvers).stream()
                            .anyMatch(l -> l.startsWith("logic-7:")));
            // only the newcomers gain partitions on a cooperative join (an old member's late first batch of a
            // partition it always had is no hand-over)
            List<String> joinHandOvers = newLines(cluster.logLines(HAND_OVER), earlierHandOvers).stream()
                    .filter(l -> l.startsWith("logic-7:") || l.startsWith("router-7:")).toList();
            int ackedBeforeScaleIn = traffic.acked();
            long leaveStart = System.nanoTime();
            cluster.stop(oldLogic);
            cluster.stop(oldRouter);
            long leaveEnd = System.nanoTime();
            Set<String> seen = new java.util.HashSet<>(earlierHandOvers);
            seen.addAll(joinHandOvers);
            // the survivors' first batches of the partitions the leavers held: one appears only when a record
            // reaches that partition, and near the stream's end a partition's conversations may be quiet for
            // a while (a CI run saw 30.7 s with a fresh record then): wait for one line of either role, then
            // give the other a while (the bound below holds for every line there is)
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).until(() ->
                    !newLines(cluster.logLines(HAND_OVER), seen).isEmpty());
            try {
                await().atMost(15, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).until(() -> {
                    List<String> fresh = newLines(cluster.logLines(HAND_OVER), seen);
                    return fresh.stream().anyMatch(l -> l.startsWith("logic-"))
                            && fresh.stream().anyMatch(l -> l.startsWith("router-"));
                });
            } catch (org.awaitility.core.ConditionTimeoutException quiet) {
                System.out.println("[delivery-faults] scale-in: a role's moved partitions got no record within"
                        + " 15 s of the first hand-over line; checking the lines there are");
            }
            List<String> leaveHandOvers = newLines(cluster.logLines(HAND_OVER), seen);
            cluster.stop(oldGate);
            List<Outcome> outcomes = traffic.finish();
            Report report = verifier.verify("scale-out-and-in", world, outcomes, List.of(), load.settle()).print();
            System.out.println("[delivery-faults] scale-out-and-in: +logic-7 +router-7 +gate-7, then -" + oldLogic
                    + " -" + oldRouter + " -" + oldGate + " (SIGTERM); " + ackedBeforeScaleIn + " of "
                    + traffic.planned() + " acked before the scale-in; logic-7 holds "
                    + cluster.upstreamPartitionsOf("logic-7"));
            long joinWait = longestHandOverWait(joinHandOvers);
            long leaveWait = longestHandOverWait(leaveHandOvers);
            System.out.println("[delivery-faults] scale-out (logic-7, router-7 join): moved partitions' records waited"
                    + " at most " + joinWait + " ms across the hand-over, slowest ack "
                    + traffic.slowestAckBetween(joinStart, joinEnd).map(Object::toString).orElse("none")
                    + "; scale-in (" + oldLogic + ", " + oldRouter + " leave, SIGTERM): at most " + leaveWait
                    + " ms, slowest ack " + traffic.slowestAckBetween(leaveStart, leaveEnd).map(Object::toString)
                    .orElse("none"));
            joinHandOvers.forEach(l -> System.out.println("[delivery-faults] join hand-over " + l));
            leaveHandOvers.forEach(l -> System.out.println("[delivery-faults] leave hand-over " + l));
            report.assertHolds(false);
            // a graceful move costs the moved partitions a hand-over, not seconds: the new owners' first batches
            assertFalse(joinHandOvers.isEmpty(), "the join moved partitions to logic-7 and router-7");
            assertFalse(leaveHandOvers.isEmpty(), "the leave moved partitions to the remaining processes");
            assertTrue(joinWait <= HAND_OVER_LIMIT.toMillis() && leaveWait <= HAND_OVER_LIMIT.toMillis(),
                    "a graceful join or leave held the moved partitions' records at most " + HAND_OVER_LIMIT
                    + "; they waited " + joinWait + " ms (join) and " + leaveWait + " ms (leave): " + joinHandOvers
                    + " " + leaveHandOvers);
            // deterministic: a graceful old owner finishes its batch (its transaction commits) before it lets the
            // partition go, so no new owner's fence claim had to wait for it
            assertEquals(List.of(), newLines(cluster.logLines(CLAIM_WAITED), earlierClaimWaits),
                    "a fence claim waited for the previous owner's transaction after a graceful move");
            // the old owners committed on revoke: the new ones replay (almost) nothing, so the SDK suppresses few
            // pushes again (a gate drain and gap pulls add some); a replay of whole partitions would be hundreds
            // (56-147 of 4,480 measured, 1.3-3.3 %: the bound is 3x that)
            assertTrue(report.sdkDuplicatesSuppressed() <= report.expectedDeliveries() / 10, "at most 10 % of the "
                    + report.expectedDeliveries() + " deliveries came twice; the SDK suppressed "
                    + report.sdkDuplicatesSuppressed());
            assertTrue(ackedBeforeScaleIn < traffic.planned(), "the scale-in happened while messages flowed ("
                    + ackedBeforeScaleIn + " of " + traffic.planned() + " acked before it)");
            Set<Integer> all = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
            Set<Integer> held = new java.util.HashSet<>();
            cluster.running(Role.LOGIC).forEach(l -> held.addAll(cluster.upstreamPartitionsOf(l)));
            assertEquals(all, held, "the remaining logic processes hold every partition");
            assertEveryRoleRuns();
        }
    }

    private void assertEveryRoleRuns() {
        for (Map.Entry<Role, Integer> wanted : TOPOLOGY.entrySet()) {
            assertEquals(wanted.getValue(), cluster.running(wanted.getKey()).size(), wanted.getKey()
                    + " processes running after the fault: " + cluster.running(wanted.getKey()));
        }
        List<String> gates = cluster.running(Role.GATE);
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertTrue(cluster.listedGates().containsAll(gates), "the LSB lists " + gates + " again, it lists "
                        + cluster.listedGates()));
    }

    /** The recovery line of a fault with a start and an end (a pause, an outage, a restart). */
    private static void printRecovery(String fault, Traffic traffic, long faultStart, long faultEnd, long settled) {
        System.out.println("[delivery-faults] " + fault + ": fault lasted " + (faultEnd - faultStart) / 1_000_000
                + " ms; " + traffic.recoveryAfter(faultStart) + "; every message answered and delivered "
                + (settled - faultEnd) / 1_000_000 + " ms after the fault ended");
    }

    /** The lines not in {@code before}, less first batches from offset 0 (a partition's first record ever). */
    private static List<String> newLines(List<String> lines, Set<String> before) {
        return lines.stream().filter(l -> !before.contains(l) && !l.contains("from offset 0,")).distinct().toList();
    }

    /** The longest wait of a moved partition's oldest record among ConsumerLoop's first-batch lines. */
    private static long longestHandOverWait(List<String> handOvers) {
        long longest = 0;
        for (String line : handOvers) {
            Matcher m = HAND_OVER_WAIT.matcher(line);
            assertTrue(m.find(), "a first-batch line names its oldest record's age: " + line);
            longest = Math.max(longest, Long.parseLong(m.group(1)));
        }
        return longest;
    }

    private static int delivered(ChatWorld world, Predicate<Device> which) {
        return world.devices().stream().filter(which).mapToInt(d -> d.delivered().size()).sum();
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
