package io.magpie.hooks.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.bus.BatchHandler;
import io.magpie.hooks.AfterSendEndpoint;
import io.magpie.hooks.AfterSendSettings;
import io.magpie.hooks.HookSigner;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One polled batch of {@code push} records -> the after-send events they stand for that one endpoint takes
 * ({@link AfterSendEndpoint#takes}: the rest are passed over, as records of no event), POSTed in order in requests of
 * at most {@link AfterSendSettings#maxEvents()} events, each sent only after the one before was answered 2xx. The
 * first request not taken fails the batch ({@link HookDeliveryException}): the loop rewinds it and polls it again
 * after a backoff, so the offsets are committed only past events the endpoint took. Records whose events were taken
 * before the failure are remembered (per partition, until a rebalance) and not sent again on the retry. Not
 * thread-safe: called on the loop's thread.
 */
public final class AfterSendHandler implements BatchHandler<String, byte[]> {

    /** The {@code X-Magpie-Event} header of after-send requests (their body lists the events). */
    public static final String EVENT = "after_send";

    private static final Logger log = LoggerFactory.getLogger(AfterSendHandler.class);

    private final AfterSendSettings settings;
    private final HookEvents events;
    private final HookHttp http;
    private final HookSigner signer;
    private final ObjectMapper json;
    /** Per partition: the offset below which every record's events were taken by the endpoint. */
    private final Map<TopicPartition, Long> takenUpTo = new HashMap<>();

    public AfterSendHandler(AfterSendEndpoint endpoint, HookHttp http, ObjectMapper json) {
        this.settings = endpoint.settings();
        this.events = new HookEvents(json, settings.events(), endpoint::takes);
        this.http = http;
        this.signer = new HookSigner(settings.secret());
        this.json = json;
    }

    @Override
    public boolean handle(List<ConsumerRecord<String, byte[]>> batch) throws HookDeliveryException {
        List<ObjectNode> pending = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (r.offset() < takenUpTo.getOrDefault(tp, -1L)) {
                continue; // taken before a later request of this batch failed
            }
            List<ObjectNode> of;
            try {
                of = r.value() == null ? List.of() : events.of(r.value(), r.partition(), r.offset());
            } catch (InvalidProtocolBufferException e) {
                log.warn("[hooks] record {}-{} at offset {} is not a push task ({}); skipped", r.topic(), r.partition(),
                        r.offset(), e.getMessage());
                continue;
            }
            for (ObjectNode e : of) {
                pending.add(e);
                sources.add(r);
            }
            if (pending.size() >= settings.maxEvents()) {
                deliver(pending, sources);
                pending.clear();
                sources.clear();
            }
        }
        if (!pending.isEmpty()) {
            deliver(pending, sources);
        }
        return true;
    }

    private void deliver(List<ObjectNode> chunk, List<ConsumerRecord<String, byte[]>> sources)
            throws HookDeliveryException {
        ObjectNode body = json.createObjectNode();
        body.putArray("events").addAll(chunk);
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing an after-send payload failed: " + e.getMessage(), e);
        }
        String what = "after-send hook " + settings.url() + " (" + chunk.size() + " events)";
        HttpResponse<byte[]> response;
        try {
            response = http.post(settings.url(), EVENT, bytes, signer, settings.timeout())
                    .get(settings.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HookDeliveryException(what + ": interrupted; the events will be sent again", e);
        } catch (ExecutionException e) {
            throw new HookDeliveryException(what + " failed (" + e.getCause() + "); the events will be sent again"
                    + " after a backoff", e.getCause());
        } catch (TimeoutException e) {
            throw new HookDeliveryException(what + " did not answer within " + settings.timeout()
                    + "; the events will be sent again after a backoff", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new HookDeliveryException(what + " answered HTTP " + response.statusCode() + " (2xx expected); the"
                    + " events will be sent again after a backoff", null);
        }
        for (ConsumerRecord<String, byte[]> r : sources) {
            takenUpTo.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
        }
    }

    @Override
    public void onRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(takenUpTo::remove);
    }
}
