package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The meters of one gate, every one tagged {@code role=gate, gate=<id>} (docs/operations.md, "Metrics").
 * Every meter is registered up front, so recording on an event loop is a lookup in an array or an
 * {@link EnumMap} plus an atomic add: no allocation, no lock, no blocking. Thread-safe.
 */
public final class GateMetrics implements WaitAckTable.Events {

    /** Client commands are numbered below this; anything else is counted as {@code OTHER}. */
    private static final int CLIENT_COMMANDS = 64;

    private final Counter[] framesIn = new Counter[CLIENT_COMMANDS + 1];
    private final Counter[] framesOut = new Counter[CLIENT_COMMANDS + 1];
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Map<ErrorCode, Counter> loginsRefused = new EnumMap<>(ErrorCode.class);
    private final Counter loginsOk;
    private final Timer pushAck;
    private final Counter pushResends;
    private final Map<WaitAckTable.SkipReason, Counter> pushResendsSkipped = new EnumMap<>(WaitAckTable.SkipReason.class);
    private final Counter pushGivenUp;

    /** @param connections how many client connections are open now (read at each scrape) */
    public GateMetrics(MeterRegistry registry, String gateId, IntSupplier connections) {
        Objects.requireNonNull(registry, "registry");
        Tags tags = Tags.of("role", "gate", "gate", Objects.requireNonNull(gateId, "gateId"));
        Gauge.builder("magpie.gate.connections", connections, IntSupplier::getAsInt)
                .description("client connections open (TCP and WebSocket, logged in or not)")
                .tags(tags).strongReference(true) // the supplier is a lambda nobody else holds
                .register(registry);
        for (int code = 0; code <= CLIENT_COMMANDS; code++) {
            String command = code == CLIENT_COMMANDS ? "OTHER" : Command.fromCode(code).map(Enum::name).orElse(null);
            if (command == null) {
                continue;
            }
            framesIn[code] = Counter.builder("magpie.gate.frames.in").description("frames received from clients")
                    .tags(tags).tag("command", command).register(registry);
            framesOut[code] = Counter.builder("magpie.gate.frames.out").description("frames written to clients")
                    .tags(tags).tag("command", command).register(registry);
        }
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, Counter.builder("magpie.gate.errors").description("ERROR frames written to clients")
                    .tags(tags).tag("code", code.name()).register(registry));
            loginsRefused.put(code, Counter.builder("magpie.gate.logins")
                    .description("LOGIN attempts by outcome (ok, or the ERROR code that refused it)")
                    .tags(tags).tag("result", code.name()).register(registry));
        }
        loginsOk = Counter.builder("magpie.gate.logins")
                .description("LOGIN attempts by outcome (ok, or the ERROR code that refused it)")
                .tags(tags).tag("result", "ok").register(registry);
        pushAck = Timer.builder("magpie.gate.push.ack")
                .description("from the first write of a PUSH to the PUSH_ACK that clears its last message")
                .tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
        pushResends = Counter.builder("magpie.gate.push.resends").description("PUSH frames resent for want of a PUSH_ACK")
                .tags(tags).register(registry);
        for (WaitAckTable.SkipReason reason : WaitAckTable.SkipReason.values()) {
            pushResendsSkipped.put(reason, Counter.builder("magpie.gate.push.resends.skipped")
                    .description("resends that fell due and were not written (the attempt counts): the connection was"
                            + " not writable, or the client was still acknowledging older PUSHes")
                    .tags(tags).tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        pushGivenUp = Counter.builder("magpie.gate.push.given.up")
                .description("PUSH frames dropped unacknowledged after the last resend (the client PULLs them)")
                .tags(tags).register(registry);
    }

    /** Meters that record into nothing: for tests and tools that build gate parts without a registry. */
    public static GateMetrics none() {
        return new GateMetrics(new CompositeMeterRegistry(), "none", () -> 0);
    }

    public void frameIn(int command) {
        counter(framesIn, command).increment();
    }

    /** Counts an outbound frame; an ERROR also counts under its code (parsed: ERROR frames are rare). */
    public void frameOut(int command, byte[] body) {
        counter(framesOut, command).increment();
        if (command == Command.ERROR.code()) {
            ErrorCode.fromCode(errorCode(body)).ifPresent(code -> errors.get(code).increment());
        }
    }

    public void loginOk() {
        loginsOk.increment();
    }

    public void loginRefused(ErrorCode code) {
        loginsRefused.get(code).increment();
    }

    @Override
    public void acked(long nanosSinceFirstSend) {
        pushAck.record(nanosSinceFirstSend, TimeUnit.NANOSECONDS);
    }

    @Override
    public void resent() {
        pushResends.increment();
    }

    @Override
    public void resendSkipped(WaitAckTable.SkipReason reason) {
        pushResendsSkipped.get(reason).increment();
    }

    @Override
    public void givenUp() {
        pushGivenUp.increment();
    }

    private static Counter counter(Counter[] byCode, int command) {
        Counter c = command >= 0 && command < CLIENT_COMMANDS ? byCode[command] : null;
        return c != null ? c : byCode[CLIENT_COMMANDS];
    }

    private static int errorCode(byte[] body) {
        try {
            return io.magpie.protocol.proto.Error.parseFrom(body).getCode();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return -1;
        }
    }
}
