package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.BenchUsers;
import io.magpie.bench.internal.load.BoundedAsync;
import io.magpie.bench.internal.load.ClientFleet;
import io.magpie.bench.internal.load.GroupApi;
import io.magpie.bench.internal.load.MessageTracker;
import io.magpie.bench.internal.load.OpenLoop;
import io.magpie.bench.internal.load.PacingSchedule;
import io.magpie.bench.internal.load.Ticker;
import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.Numbers;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.client.MagpieClient;
import io.magpie.protocol.proto.ConversationType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Group fan-out: G groups of M members, the first N of each online (all by default); S senders per group
 * send at a fixed total rate (open loop). Measures deliveries/s and latency to the last online member, from
 * the intended send time; offline members cost the server only their storage.
 * Groups are created through the account API's {@code POST /v1/groups} with their first
 * {@value #CREATE_BATCH} members; the owner adds the rest once connected, with GROUP invites of
 * {@value #CREATE_BATCH} uids each (the SDK's {@code Groups.inviteAll}), as an app does for a large group.
 */
@Command(name = "group-fanout", mixinStandardHelpOptions = true,
        description = {"Group fan-out: G groups of M online members, senders at a fixed rate; deliveries/s and"
                + " latency to the last member (open loop).",
            "Example: ./bench group-fanout --groups 1 --members 500 --rate 200 --duration 20s"})
public final class GroupFanoutScenario extends Scenario {

    /** Members named at creation, and per GROUP invite after it (the protocol's cap per invite is 500). */
    static final int CREATE_BATCH = 500;

    @Mixin
    TimingOptions timing;

    @Mixin
    ReadOptions reading;

    @Option(names = {"-g", "--groups"}, defaultValue = "1", paramLabel = "G",
            description = "groups (default: ${DEFAULT-VALUE})")
    int groups;

    @Option(names = {"-m", "--members"}, defaultValue = "100", paramLabel = "M",
            description = "members per group, owner included (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--online", paramLabel = "N",
            description = "members of each group that connect and receive, senders included (default: all M);"
                    + " the others stay offline")
    Integer online;

    @Option(names = {"-r", "--rate"}, defaultValue = "100", paramLabel = "MSGS_PER_S",
            description = "group messages per second over all groups (default: ${DEFAULT-VALUE});"
                    + " deliveries/s offered = rate x (M - 1)")
    double rate;

    @Option(names = {"-s", "--senders"}, defaultValue = "1", paramLabel = "S",
            description = "members of each group that send, taking turns (default: ${DEFAULT-VALUE})")
    int senders;

    @Option(names = "--max-outstanding", defaultValue = "20000", paramLabel = "N",
            description = "stop when this many messages are not fully delivered (default: ${DEFAULT-VALUE})")
    long maxOutstanding;

    @Override
    protected void validate() {
        timing.validate();
        reading.validate();
        if (groups < 1 || groups > 1000) {
            throw new IllegalArgumentException("--groups must be 1..1000, got " + groups);
        }
        if (members < 2 || members > 10_000) {
            throw new IllegalArgumentException("--members must be 2..10000, got " + members);
        }
        if (online != null && (online < 2 || online > members)) {
            throw new IllegalArgumentException("--online must be 2..members (" + members + "), got " + online);
        }
        if ((long) groups * onlineMembers() > 20_000) {
            throw new IllegalArgumentException("--groups x online members is limited to 20000 connections from one"
                    + " bench process, got " + (long) groups * onlineMembers() + "; lower --online");
        }
        if (senders < 1 || senders > onlineMembers()) {
            throw new IllegalArgumentException("--senders must be 1..online members (" + onlineMembers() + "), got "
                    + senders);
        }
        if (!(rate > 0) || rate > 1_000_000) {
            throw new IllegalArgumentException("--rate must be > 0 and <= 1000000 msgs/s, got " + rate);
        }
        if (maxOutstanding < 10 || maxOutstanding > 10_000_000) {
            throw new IllegalArgumentException("--max-outstanding must be 10..10000000, got " + maxOutstanding);
        }
    }

    private int onlineMembers() {
        return online == null ? members : online;
    }

    @Override
    protected List<RunReport> run() throws Exception {
        int receivers = onlineMembers() - 1;
        MachineInfo machine = MachineInfo.detect();
        Instant started = clock.instant();
        out.printf("group-fanout: %d group(s) x %d members (%d online), %s msgs/s (%s deliveries/s offered),"
                        + " warmup %s, measure %s%s (run %s)%n", groups, members, onlineMembers(), Numbers.whole(rate),
                Numbers.whole(rate * receivers), DurationConverter.format(timing.warmup),
                DurationConverter.format(timing.duration), reading.describe(), common.runId());
        List<BenchUsers.User> users = new BenchUsers(common.accountClient(), common.runId(), common.setupParallelism,
                common.setupTimeout, out).create(groups * members);
        GroupApi api = new GroupApi(common.server.accountUrl, common.httpClient(), common.requestTimeout);
        List<Long> groupIds = BoundedAsync.run("creating " + groups + " groups", groups,
                Math.min(groups, common.setupParallelism), common.setupTimeout, g -> {
                    List<Long> others = new ArrayList<>();
                    for (int m = 1; m < Math.min(members, CREATE_BATCH + 1); m++) {
                        others.add(users.get(g * members + m).uid());
                    }
                    return api.create(users.get(g * members).credentials().token(),
                            "bench-" + common.runId() + "-" + g, others);
                }, null);
        out.printf("  created groups %s%n", groupIds.size() <= 10 ? groupIds : groupIds.size() + " groups");
        MessageRun run = new MessageRun(new MessageTracker(null), reading.tracker(), timing.payload(), out);
        try (ClientFleet fleet = new ClientFleet(common.clientConfig().build(), common.clientThreads())) {
            List<BenchUsers.User> connecting = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                connecting.addAll(users.subList(g * members, g * members + onlineMembers()));
            }
            List<MagpieClient> clients = fleet.connect(connecting, (u, c) -> run.recipient(c),
                    common.setupParallelism, common.setupTimeout, out);
            inviteTheRest(users, groupIds, clients);
            double seconds = (timing.warmup.toMillis() + timing.duration.toMillis()) / 1000.0;
            long start = System.nanoTime() + 50_000_000L;
            PacingSchedule schedule = PacingSchedule.forDuration(start, rate, seconds);
            OpenLoop.Outcome outcome;
            try (Ticker ticker = new Ticker(() -> run.tick(timing.deliveryTimeout, "deliveries/s"))) {
                outcome = OpenLoop.drive(schedule, start + timing.warmup.toNanos(),
                        () -> run.startWindow(common.serverPid, common.hopProbe()), i -> {
                            int g = (int) (i % groups);
                            int s = (int) ((i / groups) % senders);
                            int sender = g * onlineMembers() + s;
                            run.send(clients.get(sender), sender, i, schedule.intendedNanos(i), ConversationType.GROUP,
                                    groupIds.get(g), receivers);
                        }, run.tracker()::tracked, maxOutstanding);
                run.endWindow();
                run.drain(timing.drain);
            }
            if (outcome.aborted()) {
                out.printf("   stopped early: more than %d messages not fully delivered after %d sends%n",
                        maxOutstanding, outcome.issued());
            }
            return List.of(report(run, outcome, machine, started));
        }
    }

    /** The owner of each group larger than {@link #CREATE_BATCH} + 1 invites the members not named at creation. */
    private void inviteTheRest(List<BenchUsers.User> users, List<Long> groupIds, List<MagpieClient> clients)
            throws Exception {
        if (members <= CREATE_BATCH + 1) {
            return;
        }
        long began = System.nanoTime();
        BoundedAsync.run("inviting " + (members - CREATE_BATCH - 1) + " more members into each of " + groups
                + " groups", groups, Math.min(groups, common.setupParallelism), common.setupTimeout, g -> {
                    List<Long> rest = new ArrayList<>();
                    for (int m = CREATE_BATCH + 1; m < members; m++) {
                        rest.add(users.get(g * members + m).uid());
                    }
                    return clients.get(g * onlineMembers()).groups().inviteAll(groupIds.get(g), rest);
                }, null);
        out.printf("  invited %d members per group in batches of %d (%d ms)%n", members - CREATE_BATCH - 1,
                CREATE_BATCH, (System.nanoTime() - began) / 1_000_000);
    }

    private RunReport report(MessageRun run, OpenLoop.Outcome outcome, MachineInfo machine, Instant started) {
        MessageTracker t = run.tracker();
        RunReport.Builder r = report("group-fanout", started, machine)
                .param("groups", groups).param("members", members).param("online", onlineMembers()).param("rate", Numbers.whole(rate))
                .param("senders", senders).param("duration", timing.duration.toSeconds() + "s")
                .param("warmup", timing.warmup.toSeconds() + "s").param("payload_bytes", timing.payloadBytes)
                .param("read_every", reading.param());
        Histogram last = t.lastDeliveryLatency().total();
        Histogram every = t.deliveryLatency().total();
        double window = run.windowSeconds();
        run.fill(r, last, "send -> delivered to the LAST online member, from the intended send time",
                window > 0 ? t.deliveriesInWindow() / window : 0, "deliveries/s");
        r.result("offered", Numbers.whole(rate) + " msgs/s = " + Numbers.whole(rate * (onlineMembers() - 1))
                        + " deliveries/s")
                .result("group messages fully delivered in the window / s",
                        Numbers.whole(window > 0 ? t.completedInWindow() / window : 0))
                .result("every delivery p50 / p99 / max (ms)", MessageRun.triple(t.deliveryLatency()))
                .result("generator", outcome.aborted() ? "stopped early: server fell behind" : "kept the schedule");
        r.plot("to the last member", last).plot("every delivery", every);
        return r.build();
    }
}
