package io.magpie.server.faults;

import io.magpie.client.ConnectionState;
import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SendAck;
import io.magpie.server.faults.ChatWorld.Conversation;
import io.magpie.server.faults.ChatWorld.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Drives messages through a {@link ChatWorld} the way an app following the SDK contract does: every
 * device sends {@code messagesPerDevice} messages, round robin over its user's conversations, each
 * with its own client msg id; a retryable failure (timeout, lost connection, retryable server error)
 * is resent with the SAME client msg id once the client is connected again, until the SEND_ACK comes,
 * a non-retryable error comes, or the message's deadline or the stream's end passes. {@code workersPerDevice} threads per device send
 * concurrently (so a batch in logic holds messages of several senders), pausing {@code pace} between
 * messages so the stream lasts long enough for a fault to land in the middle of it.
 *
 * <p>Every outcome is recorded: the SEND_ACK (msg id, seq) or the failure, and how many attempts it
 * took. Start once, then {@link #finish}.
 */
final class Traffic {

    /** What happened to one message. {@code ack} null when it was never acknowledged. */
    record Outcome(String clientMsgId, Device sender, Conversation conversation, SendAck ack,
            MagpieException failure, int attempts) {

        boolean acked() {
            return ack != null;
        }

        /** Refused for good by the server (as opposed to still unanswered at the deadline). */
        boolean refused() {
            return ack == null && failure != null && !failure.retryable();
        }
    }

    /**
     * How long the conversations went without a SEND_ACK after a fault: per conversation, the time
     * from the fault to its first ack after it; the slowest and the median, and how many conversations
     * had none by the end of the stream.
     */
    record Recovery(Duration slowest, Duration median, int conversations, int neverAckedAgain) {
        @Override
        public String toString() {
            return "every conversation acknowledged again within " + slowest.toMillis() + " ms (median "
                    + median.toMillis() + " ms, " + conversations + " conversations"
                    + (neverAckedAgain > 0 ? ", " + neverAckedAgain + " never acked again" : "") + ")";
        }
    }

    /**
     * How long one acknowledged message waited: from its first send attempt to its SEND_ACK
     * ({@link System#nanoTime()}), resends included.
     */
    record AckWait(String clientMsgId, String conversation, long sentNanos, long ackedNanos) {

        Duration waited() {
            return Duration.ofNanos(ackedNanos - sentNanos);
        }

        @Override
        public String toString() {
            return clientMsgId + " in " + conversation + " waited " + waited().toMillis() + " ms for its SEND_ACK";
        }
    }

    private final Map<String, Queue<Long>> ackTimes = new ConcurrentHashMap<>();
    private final Queue<AckWait> ackWaits = new ConcurrentLinkedQueue<>();
    private final ChatWorld world;
    private final String tag;
    private final int messagesPerDevice;
    private final int workersPerDevice;
    private final Duration pace;
    private final Duration deadline;
    private final Duration streamTimeout;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger acked = new AtomicInteger();
    private final Map<String, AtomicInteger> ackedByDevice = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile long streamEnd;

    /**
     * @param deadline      how long one message may take, resends included, before the sender gives up on it
     * @param streamTimeout how long the whole stream may take from {@link #start()}; messages not sent by
     *                      then are recorded as unanswered without being sent
     */
    Traffic(ChatWorld world, String tag, int messagesPerDevice, int workersPerDevice, Duration pace,
            Duration deadline, Duration streamTimeout) {
        this.world = world;
        this.tag = tag;
        this.messagesPerDevice = messagesPerDevice;
        this.workersPerDevice = workersPerDevice;
        this.pace = pace;
        this.deadline = deadline;
        this.streamTimeout = streamTimeout;
    }

    /** Messages this traffic sends in all. */
    int planned() {
        return messagesPerDevice * world.devices().size();
    }

    void start() {
        streamEnd = System.nanoTime() + streamTimeout.toNanos();
        for (Device device : world.devices()) {
            List<Conversation> conversations = world.conversationsOf(device.user().uid());
            for (int w = 0; w < workersPerDevice; w++) {
                int worker = w;
                Thread t = new Thread(() -> sendAll(device, conversations, worker),
                        "traffic-" + device.deviceId() + "-" + w);
                t.setDaemon(true);
                workers.add(t);
                t.start();
            }
        }
    }

    /** Blocks until at least {@code count} messages were acknowledged (to place a fault mid-stream). */
    void awaitAcked(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (acked.get() < count) {
            if (System.nanoTime() > end) {
                throw new AssertionError("only " + acked.get() + " of the " + count + " messages expected before"
                        + " the fault were acknowledged within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** Time to the first SEND_ACK of each conversation after {@code faultNanos} ({@link System#nanoTime()}). */
    Recovery recoveryAfter(long faultNanos) {
        List<Long> firsts = new ArrayList<>();
        int never = 0;
        for (Queue<Long> times : ackTimes.values()) {
            long first = times.stream().mapToLong(Long::longValue).filter(t -> t >= faultNanos).min().orElse(-1);
            if (first < 0) {
                never++;
            } else {
                firsts.add(first - faultNanos);
            }
        }
        Collections.sort(firsts);
        Duration slowest = firsts.isEmpty() ? Duration.ZERO : Duration.ofNanos(firsts.get(firsts.size() - 1));
        Duration median = firsts.isEmpty() ? Duration.ZERO : Duration.ofNanos(firsts.get(firsts.size() / 2));
        return new Recovery(slowest, median, ackTimes.size(), never);
    }

    int acked() {
        return acked.get();
    }

    /**
     * The acknowledged message that waited longest for its SEND_ACK among those in flight at some point of
     * [{@code fromNanos}, {@code toNanos}] ({@link System#nanoTime()}): sent by its end, acked after its start.
     * Empty when none was.
     */
    java.util.Optional<AckWait> slowestAckBetween(long fromNanos, long toNanos) {
        return ackWaits.stream().filter(w -> w.sentNanos() <= toNanos && w.ackedNanos() >= fromNanos)
                .max(java.util.Comparator.comparingLong(w -> w.ackedNanos() - w.sentNanos()));
    }

    /** SEND_ACKs received so far by the devices {@code which} accepts. */
    int ackedBy(Predicate<Device> which) {
        return world.devices().stream().filter(which)
                .mapToInt(d -> ackedByDevice.getOrDefault(d.deviceId(), new AtomicInteger()).get()).sum();
    }

    /**
     * The failed send attempts so far by kind ({@code ERROR <code>}, {@code timeout}, {@code connection lost},
     * or the exception's class), each one a retry or a refusal.
     */
    Map<String, Integer> failures() {
        Map<String, Integer> copy = new TreeMap<>();
        failures.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    private void countFailure(MagpieException e) {
        String kind;
        if (e instanceof MagpieErrorException error) {
            kind = "ERROR " + error.code() + (error.retryable() ? "" : " (not retryable)");
        } else if (e instanceof RequestTimeoutException) {
            kind = "timeout";
        } else if (e instanceof ConnectionLostException) {
            kind = "connection lost";
        } else {
            kind = e.getClass().getSimpleName();
        }
        failures.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    /**
     * Waits for every sender to be done: each message acked, refused, past its deadline, or not sent
     * because the stream's time was up.
     */
    List<Outcome> finish() throws InterruptedException {
        long grace = Duration.ofSeconds(30).toNanos(); // a last send in flight at the stream's end
        for (Thread t : workers) {
            t.join(Math.max(1, (streamEnd + grace - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop at the end of the stream; " + acked.get()
                        + " of " + planned() + " acked");
            }
        }
        return List.copyOf(outcomes);
    }

    private void sendAll(Device device, List<Conversation> conversations, int worker) {
        for (int i = worker; i < messagesPerDevice; i += workersPerDevice) {
            Conversation conversation = conversations.get(i % conversations.size());
            String clientMsgId = tag + "-" + device.deviceId() + "-" + i;
            if (System.nanoTime() > streamEnd) {
                outcomes.add(new Outcome(clientMsgId, device, conversation, null, null, 0));
                continue;
            }
            outcomes.add(sendUntilAnswered(device, conversation, clientMsgId));
            if (!pace.isZero()) {
                sleep(pace.toMillis());
            }
        }
    }

    private Outcome sendUntilAnswered(Device device, Conversation conversation, String clientMsgId) {
        MagpieClient client = device.client();
        MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText(clientMsgId).build();
        long target = conversation.targetFor(device.user().uid());
        long firstSent = System.nanoTime();
        long end = Math.min(firstSent + deadline.toNanos(), streamEnd);
        MagpieException last = null;
        int tries = 0;
        while (System.nanoTime() < end) {
            if (!awaitConnected(client, end)) {
                break;
            }
            tries++;
            try {
                SendAck ack = client.send(clientMsgId, conversation.type(), target, content)
                        .get(client.config().requestTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
                acked.incrementAndGet();
                ackedByDevice.computeIfAbsent(device.deviceId(), d -> new AtomicInteger()).incrementAndGet();
                long ackedAt = System.nanoTime();
                ackTimes.computeIfAbsent(conversation.id(), c -> new ConcurrentLinkedQueue<>()).add(ackedAt);
                ackWaits.add(new AckWait(clientMsgId, conversation.id(), firstSent, ackedAt));
                return new Outcome(clientMsgId, device, conversation, ack, null, tries);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof MagpieException m)) {
                    throw new AssertionError(clientMsgId + ": send failed with an unexpected exception", e.getCause());
                }
                last = m;
                countFailure(m);
                if (!m.retryable()) {
                    return new Outcome(clientMsgId, device, conversation, null, m, tries);
                }
                sleep(100); // the contract: resend the same client msg id
            } catch (TimeoutException e) {
                // the SDK's own request timeout should have fired first; resend anyway
                failures.computeIfAbsent("timeout (test)", k -> new AtomicInteger()).incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Outcome(clientMsgId, device, conversation, null, last, tries);
    }

    private static boolean awaitConnected(MagpieClient client, long endNanos) {
        while (client.state() != ConnectionState.CONNECTED) {
            ConnectionState s = client.state();
            if (s == ConnectionState.KICKED || s == ConnectionState.CLOSED || s == ConnectionState.DISCONNECTED
                    || System.nanoTime() > endNanos) {
                return false;
            }
            sleep(50);
        }
        return true;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
