package io.magpie.bench.internal.load;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The lean receiver's answer to PUSH, shared by all connections of a process: reads from the PUSH body only
 * what it must ({@link PushScanner}), and at the end of the read writes one PUSH_ACK naming every message of
 * the read's PUSHes (PROTOCOL.md §9.4, a request of the connection with its own request id), as the SDK does;
 * a read's acks past {@value #MAX_ACK_BYTES} bytes go out in more PUSH_ACKs. It records each bench
 * message's arrival ({@link DeliveryDeltas}) and its latency from the send stamp in its text ({@link SendStamp},
 * same host, same wall clock). No dedupe: a gate resend to the same connection counts again, and the parent
 * reports it as an unexpected delivery. Thread-safe (event loops call it concurrently).
 */
public final class LeanPushes implements GateLogins.AfterLogin {

    /** A PUSH_ACK body this big is written at once, not held until the read ends. */
    static final int MAX_ACK_BYTES = 16 * 1024;
    private static final AttributeKey<PushAckBody> PENDING = AttributeKey.valueOf(LeanPushes.class, "pendingAck");

    private final DeliveryDeltas deltas = new DeliveryDeltas();
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LongAdder pushes = new LongAdder();
    private final LongAdder otherMessages = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final java.util.concurrent.atomic.AtomicReference<String> firstMalformed = new java.util.concurrent.atomic.AtomicReference<>();

    @Override
    public boolean onFrame(ChannelHandlerContext ctx, Frame frame, IntSupplier requestIds) {
        if (!frame.is(Command.PUSH)) {
            return false;
        }
        pushes.increment();
        long now = WallClock.epochMicrosNow();
        PushAckBody ack = pending(ctx);
        int mark = ack.size();
        try {
            PushScanner.scan(frame.body(), (b, convOff, convLen, seq, idOff, idLen, textOff, textLen) -> {
                ack.add(b, convOff, convLen, seq);
                long key = MessageKeys.parse(b, idOff, idLen);
                if (key < 0) {
                    otherMessages.increment(); // e.g. the SYSTEM messages of the set-up's invites
                    return;
                }
                deltas.record(key, now);
                long origin = SendStamp.originMicros(b, textOff, textLen);
                if (origin >= 0 && SendStamp.measured(b, textOff, textLen)) {
                    latency.recordNanos((now - origin) * 1_000L);
                }
            });
        } catch (IllegalArgumentException e) {
            // not acked: the gate resends it, and a message never counted shows up as lost in the report
            ack.truncate(mark);
            malformed.increment();
            if (firstMalformed.compareAndSet(null, e.getMessage())) {
                System.err.println("lean receiver: a PUSH it cannot read (not acked; further ones only counted): " + e);
            }
            return true;
        }
        if (ack.size() >= MAX_ACK_BYTES) {
            writeAck(ctx, ack, requestIds);
        }
        return true;
    }

    @Override
    public void onReadComplete(ChannelHandlerContext ctx, IntSupplier requestIds) {
        PushAckBody ack = ctx.channel().attr(PENDING).get();
        if (ack != null && !ack.isEmpty()) {
            writeAck(ctx, ack, requestIds);
        }
    }

    private static PushAckBody pending(ChannelHandlerContext ctx) {
        Attribute<PushAckBody> attr = ctx.channel().attr(PENDING);
        PushAckBody ack = attr.get();
        if (ack == null) {
            ack = new PushAckBody();
            attr.set(ack);
        }
        return ack;
    }

    private static void writeAck(ChannelHandlerContext ctx, PushAckBody ack, IntSupplier requestIds) {
        ctx.write(new Frame(Command.PUSH_ACK, requestIds.getAsInt(), ack.toBytes()));
        ack.truncate(0);
    }

    public DeliveryDeltas deltas() {
        return deltas;
    }

    /** Push -> arrival latency of every delivery of a measured message, microseconds. */
    public LatencyRecorder latency() {
        return latency;
    }

    public long pushes() {
        return pushes.sum();
    }

    /** Messages that were not bench messages (no bench key in their client_msg_id). */
    public long otherMessages() {
        return otherMessages.sum();
    }

    /** PUSH bodies that were not a well-formed Push (left unacknowledged). */
    public long malformed() {
        return malformed.sum();
    }
}
