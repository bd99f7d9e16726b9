package io.magpie.server.faults;

import io.magpie.client.DeliveryStats;
import io.magpie.protocol.proto.Message;
import io.magpie.server.faults.ChatWorld.Conversation;
import io.magpie.server.faults.ChatWorld.Device;
import io.magpie.server.faults.Traffic.Outcome;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Checks what a scenario's clients saw against what MySQL holds, the guarantees of
 * {@code docs/guarantees.md}:
 * <ol>
 *   <li>every message that got a SEND_ACK is stored exactly once, with the acknowledged msg id, seq
 *       and conversation (looked up by (sender, client msg id));</li>
 *   <li>a message the server refused for good is not stored;</li>
 *   <li>the seqs of every conversation are 1..n without a hole;</li>
 *   <li>every device of every member got every stored message of its conversations exactly once, in
 *       seq order, with the stored msg id: all of them but the ones the device sent itself (the SDK
 *       places those by their SEND_ACK; one it PULLed before its resend was acknowledged is delivered
 *       anyway, once and in order: counted as an "own echo");</li>
 *   <li>a device whose PUSH_ACKs are lost ({@link SilentDevice}) got every message at least once;
 *       deduplicated by (conversation, seq) in first-arrival order, exactly once and in seq order.</li>
 * </ol>
 * Delivery takes a while after the last SEND_ACK (pushes, resends, pulls): it re-reads MySQL and the
 * devices until nothing is missing or the settle time is over, then reports.
 */
final class DeliveryVerifier {

    /** One stored message. */
    record Row(String conversationId, long seq, long msgId, long senderUid, String senderDevice, String clientMsgId) {
    }

    private final Infrastructure infra;
    private final TestIsolation isolation;

    DeliveryVerifier(Infrastructure infra, TestIsolation isolation) {
        this.infra = infra;
        this.isolation = isolation;
    }

    /** Waits up to {@code settle} for the devices to have everything, then evaluates. */
    Report verify(String fault, ChatWorld world, List<Outcome> outcomes, List<SilentDevice> silent, Duration settle)
            throws InterruptedException {
        long end = System.nanoTime() + settle.toNanos();
        while (true) {
            Report report = evaluate(fault, world, outcomes, silent, load(world));
            if (report.missing() == 0 || System.nanoTime() > end) {
                return report;
            }
            Thread.sleep(300);
        }
    }

    private List<Row> load(ChatWorld world) {
        List<String> ids = world.conversations().stream().map(Conversation::id).toList();
        String in = ids.stream().map(id -> "?").collect(Collectors.joining(","));
        try (Connection c = DriverManager.getConnection(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword());
             PreparedStatement ps = c.prepareStatement("SELECT conversation_id, seq, msg_id, sender_uid,"
                     + " sender_device_id, client_msg_id FROM message WHERE conversation_id IN (" + in + ")"
                     + " ORDER BY conversation_id, seq")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setString(i + 1, ids.get(i));
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                            rs.getString(6)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new AssertionError("reading the stored messages failed: " + e.getMessage(), e);
        }
    }

    private static Report evaluate(String fault, ChatWorld world, List<Outcome> outcomes, List<SilentDevice> silent,
            List<Row> rows) {
        List<String> violations = new ArrayList<>();
        Map<String, TreeMap<Long, Row>> byConversation = new HashMap<>();
        Map<String, List<Row>> byClientMsgId = new HashMap<>();
        for (Row r : rows) {
            byConversation.computeIfAbsent(r.conversationId(), k -> new TreeMap<>()).put(r.seq(), r);
            byClientMsgId.computeIfAbsent(r.senderUid() + "/" + r.clientMsgId(), k -> new ArrayList<>()).add(r);
        }
        // 3. seqs 1..n per conversation
        byConversation.forEach((conversation, seqs) -> {
            long expected = 1;
            for (long seq : seqs.keySet()) {
                if (seq != expected) {
                    violations.add(conversation + ": seqs are not 1..n, " + expected + " is followed by " + seq
                            + " (stored seqs " + seqs.keySet() + ")");
                    break;
                }
                expected++;
            }
        });
        // 1. and 2. acks against rows
        int lostAcked = 0;
        int storedWithoutAck = 0;
        for (Outcome o : outcomes) {
            List<Row> stored = byClientMsgId.getOrDefault(o.sender().user().uid() + "/" + o.clientMsgId(), List.of());
            if (stored.size() > 1) {
                violations.add(o.clientMsgId() + " is stored " + stored.size() + " times: " + stored);
            }
            if (o.acked()) {
                if (stored.isEmpty()) {
                    lostAcked++;
                    violations.add(o.clientMsgId() + " got SEND_ACK (msg " + o.ack().getMsgId() + ", seq "
                            + o.ack().getSeq() + ") but is not in MySQL");
                } else {
                    Row r = stored.get(0);
                    if (r.msgId() != o.ack().getMsgId() || r.seq() != o.ack().getSeq()
                            || !r.conversationId().equals(o.ack().getConversationId())) {
                        violations.add(o.clientMsgId() + " was acknowledged as " + o.ack().getConversationId()
                                + " seq " + o.ack().getSeq() + " msg " + o.ack().getMsgId() + " but stored as " + r);
                    }
                }
            } else if (!stored.isEmpty()) {
                storedWithoutAck++;
                if (o.refused()) {
                    violations.add(o.clientMsgId() + " was refused for good (" + o.failure().getMessage()
                            + ") but is stored: " + stored.get(0));
                }
            }
        }
        // 4. every device of every member
        Expected expected = new Expected();
        int ownEchoes = 0;
        long sdkDuplicates = 0;
        long gapsPulled = 0;
        for (Device d : world.devices()) {
            Set<String> mine = world.conversationsOf(d.user().uid()).stream().map(Conversation::id)
                    .collect(Collectors.toSet());
            Map<String, List<Message>> got = d.delivered().stream()
                    .collect(Collectors.groupingBy(Message::getConversationId, TreeMap::new, Collectors.toList()));
            for (String conversation : got.keySet()) {
                if (!mine.contains(conversation)) {
                    violations.add(d + " got messages of " + conversation + ", not one of its conversations");
                }
            }
            for (String conversation : mine) {
                TreeMap<Long, Row> stored = byConversation.getOrDefault(conversation, new TreeMap<>());
                Set<Long> seen = checkSequence(d.toString(), conversation, got.getOrDefault(conversation, List.of()),
                        stored, violations);
                for (Row r : stored.values()) {
                    boolean sentHere = r.senderUid() == d.user().uid() && r.senderDevice().equals(d.deviceId());
                    if (sentHere) {
                        if (seen.contains(r.seq())) {
                            ownEchoes++;
                        }
                        continue;
                    }
                    expected.check(seen, r, d.toString(), conversation);
                }
            }
            DeliveryStats stats = d.stats();
            sdkDuplicates += stats.duplicatesSuppressed();
            gapsPulled += stats.gapsPulled();
        }
        // 5. devices whose PUSH_ACKs are lost
        int silentRaw = 0;
        int silentUnique = 0;
        for (SilentDevice s : silent) {
            List<Message> raw = s.received();
            silentRaw += raw.size();
            Map<String, List<Message>> firstArrivals = new TreeMap<>();
            Set<String> seenKeys = new HashSet<>();
            for (Message m : raw) {
                if (seenKeys.add(m.getConversationId() + "#" + m.getSeq())) {
                    firstArrivals.computeIfAbsent(m.getConversationId(), k -> new ArrayList<>()).add(m);
                }
            }
            silentUnique += seenKeys.size();
            String who = s.deviceId() + "(silent)";
            for (Conversation c : world.conversationsOf(s.user().uid())) {
                TreeMap<Long, Row> stored = byConversation.getOrDefault(c.id(), new TreeMap<>());
                Set<Long> seen = checkSequence(who, c.id(), firstArrivals.getOrDefault(c.id(), List.of()), stored,
                        violations);
                for (Row r : stored.values()) {
                    // GROUP_CREATED was stored and pushed when the world was built, before this push-only device
                    // connected; an SDK device gets it by SYNC / gap PULL, a raw one never asks
                    if (!r.clientMsgId().startsWith("group-created-")) {
                        expected.check(seen, r, who, c.id());
                    }
                }
            }
            if (s.failure() != null) {
                violations.add(who + " lost its connection: " + s.failure());
            }
        }
        if (expected.missing > 0) {
            violations.add(expected.missing + " deliveries missing, e.g. " + expected.missingSamples);
        }
        int acked = (int) outcomes.stream().filter(Outcome::acked).count();
        int refused = (int) outcomes.stream().filter(Outcome::refused).count();
        int attempts = outcomes.stream().mapToInt(Outcome::attempts).sum();
        return new Report(fault, outcomes.size(), acked, refused, outcomes.size() - acked - refused,
                attempts - outcomes.size(), rows.size(), storedWithoutAck, byConversation.size(), world.hasGroup(),
                expected.deliveries, expected.delivered, ownEchoes, sdkDuplicates, gapsPulled, silentRaw,
                silentUnique, expected.missing, lostAcked + expected.missing, violations);
    }

    /** Deliveries that had to arrive: how many, how many did, and a few of those that did not. */
    private static final class Expected {
        int deliveries;
        int delivered;
        int missing;
        final List<String> missingSamples = new ArrayList<>();

        void check(Set<Long> seen, Row r, String device, String conversation) {
            deliveries++;
            if (seen.contains(r.seq())) {
                delivered++;
            } else {
                missing++;
                if (missingSamples.size() < 10) {
                    missingSamples.add(device + " lacks " + conversation + " seq " + r.seq());
                }
            }
        }
    }

    /**
     * Checks one device's deliveries of one conversation: no seq twice, rising seqs, each a stored
     * message with the stored msg id. Returns the seqs delivered.
     */
    private static Set<Long> checkSequence(String who, String conversation, List<Message> got,
            TreeMap<Long, Row> stored, List<String> violations) {
        Set<Long> seen = new HashSet<>();
        long previous = 0;
        for (Message m : got) {
            long seq = m.getSeq();
            if (!seen.add(seq)) {
                violations.add(who + " got " + conversation + " seq " + seq + " twice");
                continue;
            }
            if (seq <= previous) {
                violations.add(who + " got " + conversation + " seq " + seq + " after seq " + previous);
            }
            previous = Math.max(previous, seq);
            Row r = stored.get(seq);
            if (r == null) {
                violations.add(who + " got " + conversation + " seq " + seq + " (msg " + m.getMsgId()
                        + "), which MySQL does not hold");
            } else if (r.msgId() != m.getMsgId()) {
                violations.add(who + " got " + conversation + " seq " + seq + " as msg " + m.getMsgId()
                        + " but MySQL holds msg " + r.msgId());
            }
        }
        return seen;
    }

    /** The counts and violations of one scenario. */
    record Report(String fault, int sent, int acked, int refused, int unanswered, int resends, int stored,
            int storedWithoutAck, int conversations, boolean group, int expectedDeliveries, int delivered,
            int ownEchoes, long sdkDuplicatesSuppressed, long sdkGapPulls, int silentPushes, int silentUnique, int missing,
            int lost, List<String> violations) {

        /** The one-line summary printed for the scenario (and copied into docs/guarantees.md). */
        String summary() {
            return "fault=" + fault + " sent=" + sent + " acked=" + acked + " refused=" + refused
                    + " unanswered=" + unanswered + " resends=" + resends + " stored=" + stored
                    + " conversations=" + conversations + (group ? " (1 group)" : " (no group: API absent)")
                    + " expected-deliveries=" + expectedDeliveries + " delivered=" + delivered
                    + " own-echoes=" + ownEchoes
                    + " sdk-duplicates-suppressed=" + sdkDuplicatesSuppressed + " sdk-gap-pulls=" + sdkGapPulls
                    + (silentPushes > 0 ? " lost-ack-device-pushes=" + silentPushes + " (unique " + silentUnique + ")"
                            : "")
                    + " lost=" + lost + " violations=" + violations.size();
        }

        /**
         * Fails listing the violations (first 25) unless every guarantee held and every message was
         * answered; {@code refusalsAllowed}: a clean refusal (never stored) is acceptable in this fault.
         */
        void assertHolds(boolean refusalsAllowed) {
            List<String> problems = new ArrayList<>(violations);
            if (unanswered > 0) {
                problems.add(unanswered + " messages got neither a SEND_ACK nor a refusal before their deadline");
            }
            if (refused > 0 && !refusalsAllowed) {
                problems.add(refused + " messages were refused by the server");
            }
            if (!problems.isEmpty()) {
                throw new AssertionError(summary() + "\n  " + problems.stream().limit(25)
                        .collect(Collectors.joining("\n  ")));
            }
        }

        /** Prints the summary and appends it to {@code target/delivery-faults.txt}. */
        Report print() {
            String line = summary();
            System.out.println("[delivery-faults] " + line);
            Path file = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target")
                    .resolve("delivery-faults.txt");
            try {
                Files.writeString(file, LocalDateTime.now() + " " + line + System.lineSeparator(),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + file, e);
            }
            return this;
        }
    }
}
