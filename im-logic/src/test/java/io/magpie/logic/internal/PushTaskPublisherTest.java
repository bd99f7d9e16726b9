package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.magpie.protocol.Command;
import io.magpie.protocol.proto.HopTrace;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The encoding of what the publisher hands Kafka: a traced task leaves with its hop trace set. */
class PushTaskPublisherTest {

    private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L, 123_456_000), ZoneOffset.UTC);
    private final PushTaskPublisher publisher = new PushTaskPublisher(producer, "push", Duration.ofSeconds(1), clock);

    private static final PushTask TASK = PushTask.newBuilder()
            .addTargets(PushTarget.newBuilder().setUid(7))
            .setCommand(Command.PUSH.code())
            .setConversationId("s_7_8")
            .setSeq(3)
            .build();

    @Test
    void aTracedTaskCarriesTheGatesAndTheBatchsStampsAndWhenItWasProduced() throws Exception {
        publisher.publishAll(List.of(new OutgoingPush("s_7_8", TASK, 111), new OutgoingPush("8", TASK)),
                new PushTaskPublisher.BatchStamps(222, 333));

        PushTask traced = PushTask.parseFrom(producer.history().get(0).value());
        assertEquals(HopTrace.newBuilder().setGateReceivedUs(111).setLogicPolledUs(222).setLogicStoredUs(333)
                .setPushProducedUs(1_800_000_000_123_456L).build(), traced.getTrace());
        assertEquals(TASK, traced.toBuilder().clearTrace().build(), "the task itself unchanged");
        assertFalse(PushTask.parseFrom(producer.history().get(1).value()).hasTrace(), "an untraced task");
    }

    @Test
    void withoutBatchStampsNothingIsTraced() throws Exception {
        publisher.publishAll(List.of(new OutgoingPush("s_7_8", TASK, 111)));

        assertEquals(1, producer.history().size());
        assertEquals(TASK, PushTask.parseFrom(producer.history().get(0).value()));
    }
}
