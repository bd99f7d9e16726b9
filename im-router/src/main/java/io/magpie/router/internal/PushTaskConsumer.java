package io.magpie.router.internal;

import io.magpie.bus.Backoff;
import io.magpie.bus.BatchHandler;
import io.magpie.bus.ConsumerLoop;
import io.magpie.bus.Unfinished;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Step 7's loop: the bus's {@link ConsumerLoop} on {@code push}; each polled batch goes to
 * {@link PushDispatcher}, and its offsets are committed only once the batch was delivered. The rest of a
 * batch's delivery (the gates' acks, the offline tasks) is its {@link Unfinished} work: the loop dispatches
 * the next batch before it waits for that. A failed
 * batch ({@link PushDeliveryException}, or a bug) is rewound and polled again after a backoff, so
 * the consumer keeps polling and stays in its group; transient Kafka errors are retried the same way.
 *
 * <p>Lifecycle: {@link #run()} on a dedicated thread; {@link #shutdown()} from any thread lets the
 * batch in flight finish, then the loop closes the consumer and returns.
 */
public final class PushTaskConsumer implements Runnable {

    /** How long an idle poll waits. */
    public static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final ConsumerLoop<String, byte[]> loop;

    public PushTaskConsumer(Consumer<String, byte[]> consumer, String topic, PushDispatcher dispatcher,
            Backoff backoff, Clock clock) {
        this.loop = new ConsumerLoop<>("push", consumer, topic, new Handler(dispatcher), backoff, POLL_TIMEOUT,
                clock);
    }

    private static final class Handler implements BatchHandler<String, byte[]> {

        private final PushDispatcher dispatcher;
        /** The batch dispatched last, until the loop asks for its rest. */
        private PushDispatcher.Delivery delivery;

        Handler(PushDispatcher dispatcher) {
            this.dispatcher = dispatcher;
        }

        @Override
        public boolean handle(List<ConsumerRecord<String, byte[]>> batch) throws PushDeliveryException {
            delivery = dispatcher.dispatch(batch);
            return true;
        }

        @Override
        public Unfinished unfinished() {
            PushDispatcher.Delivery rest = delivery;
            delivery = null;
            return rest == null || rest == PushDispatcher.Delivery.NOTHING ? null : rest::finish;
        }
    }

    @Override
    public void run() {
        loop.run();
    }

    /** Asks the loop to stop after the batch in flight. Safe from any thread; returns at once. */
    public void shutdown() {
        loop.shutdown();
    }

    /** The loop's health; {@code stallAfter} is how long without a poll makes it wedged. */
    public ConsumerLoop.Status status(Duration stallAfter) {
        return loop.status(stallAfter);
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return loop.awaitStopped(timeout);
    }
}
