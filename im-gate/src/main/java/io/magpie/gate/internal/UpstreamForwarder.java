package io.magpie.gate.internal;

import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.EpochMicros;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.netty.channel.ChannelHandlerContext;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a logged-in client's requests to logic (ARCHITECTURE §2 step 4): SEND and the commands
 * logic serves ({@link UpstreamKeys#FORWARDED}) are wrapped untouched in an {@link UpstreamEnvelope}
 * that carries the session's authenticated uid, device and platform, never a uid from the body, and
 * published keyed by conversation id. A body the gate cannot read gets ERROR BAD_REQUEST and the
 * connection stays open; a bus that refuses the record gets ERROR SERVER_BUSY (retryable) with the
 * request id. Replies come later from logic as pushes. Other frames are left to the next part.
 *
 * <p>Never blocks the event loop (issue 8 point 3): the publisher hands records to the bus off the
 * loop. While {@code maxInflight} requests of this connection are on their way to the bus (Kafka slow
 * or down), the gate stops reading from the connection, and resumes once half of them are through; a
 * request that still arrives beyond the bound (already read in the same burst) gets ERROR
 * SERVER_BUSY with a retry-after instead of being queued. A bus that refuses or fails a request
 * answers it with SERVER_BUSY too.
 *
 * <p>The session part after {@link RateLimiter}. One instance per connection, created at login, with the gate's
 * {@link Settings}; confined to the channel's event loop except for the in-flight count, which the bus's callbacks
 * decrement.
 */
public final class UpstreamForwarder implements SessionPart {

    private static final Logger log = LoggerFactory.getLogger(UpstreamForwarder.class);
    private static final AtomicIntegerFieldUpdater<UpstreamForwarder> INFLIGHT =
            AtomicIntegerFieldUpdater.newUpdater(UpstreamForwarder.class, "inflight");
    /** How long a client refused for a slow bus is told to wait before resending. */
    static final long BUSY_RETRY_AFTER_MILLIS = 1000;

    private final Settings settings;
    /** Through {@link #INFLIGHT}: a field, not an AtomicInteger object, on every idle connection's heap. */
    private volatile int inflight;
    /** Reads are stopped for the in-flight bound; written on the event loop only. */
    private volatile boolean paused;

    /**
     * What every connection of a gate forwards with, shared by them (not three fields on every connection's heap).
     *
     * @param publisher   hands requests to the bus
     * @param clock       the receive times the envelope carries
     * @param maxInflight requests of a connection on their way to the bus at most
     *                    ({@code gate.limits.max-inflight-requests})
     */
    public record Settings(UpstreamPublisher publisher, Clock clock, int maxInflight) {
        public Settings {
            Objects.requireNonNull(publisher, "publisher");
            Objects.requireNonNull(clock, "clock");
            if (maxInflight < 1) {
                throw new IllegalArgumentException("maxInflight must be >= 1, got " + maxInflight);
            }
        }
    }

    public UpstreamForwarder(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public UpstreamForwarder(UpstreamPublisher publisher, Clock clock, int maxInflight) {
        this(new Settings(publisher, clock, maxInflight));
    }

    /** Requests of this connection on their way to the bus now. */
    int inflight() {
        return inflight;
    }

    @Override
    public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
        if (frame.knownCommand().filter(UpstreamKeys.FORWARDED::contains).isEmpty()) {
            return false;
        }
        forward(ctx, session, frame);
        return true;
    }

    private void forward(ChannelHandlerContext ctx, Session session, Frame frame) {
        int maxInflight = settings.maxInflight();
        UpstreamKeys.Key key;
        try {
            key = UpstreamKeys.of(frame, session.uid());
        } catch (ProtocolException e) {
            session.identify(log.atDebug()).log("{} refused {}: {}", session.logPrefix(), frame, e.getMessage());
            ctx.write(Frames.error(frame.requestId(), frame.command(), e.code(),
                    e.getMessage() + "; request dropped, the connection stays open"));
            return;
        }
        if (inflight >= maxInflight) {
            ctx.write(Frames.error(frame.requestId(), frame.command(), ErrorCode.SERVER_BUSY,
                    "the server could not accept " + Command.nameOf(frame.command()) + " now: " + maxInflight
                            + " requests of this connection are still on their way to the message bus "
                            + "(gate.limits.max-inflight-requests); resend it after retry_after_ms",
                    BUSY_RETRY_AFTER_MILLIS));
            return;
        }
        long receivedUs = EpochMicros.now(settings.clock()); // one clock read for both stamps
        UpstreamEnvelope envelope = session.envelope()
                .setCommand(frame.command())
                .setRequestId(frame.requestId())
                .setBody(ByteString.copyFrom(frame.body()))
                .setReceivedAt(receivedUs / 1_000)
                .setReceivedAtUs(receivedUs)
                .setConversationId(key.conversationId())
                .setAppId(session.appId())
                .build();
        if (INFLIGHT.incrementAndGet(this) >= maxInflight) {
            pause(ctx, session);
        }
        settings.publisher().publish(key.partitionKey(), envelope).whenComplete((ok, error) -> {
            int left = INFLIGHT.decrementAndGet(this);
            if (paused && left <= maxInflight / 2) {
                ctx.executor().execute(() -> resumeIfDrained(ctx));
            }
            if (error != null) {
                if (error instanceof KafkaSend.Backlogged) {
                    session.identify(log.atDebug())
                            .log("{} {} (conversation={}) refused: {}", session.logPrefix(), frame, key.partitionKey(),
                            error.getMessage());
                } else {
                    session.identify(log.atWarn())
                            .log("{} could not hand {} (conversation={}) to the bus; answered SERVER_BUSY",
                            session.logPrefix(), frame, key.partitionKey(), error);
                }
                // Safe from the producer's thread: Netty runs the write on the channel's event loop.
                ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), ErrorCode.SERVER_BUSY,
                        "the server could not accept " + Command.nameOf(frame.command())
                                + " now (message bus unavailable or slow); resend it after retry_after_ms, a SEND "
                                + "with the same client_msg_id", BUSY_RETRY_AFTER_MILLIS));
            }
        });
    }

    /** Stops reading this connection until its requests reach the bus; on the event loop. */
    private void pause(ChannelHandlerContext ctx, Session session) {
        if (paused) {
            return;
        }
        paused = true;
        ctx.channel().config().setAutoRead(false);
        session.identify(log.atDebug())
                .log("{} {} requests on their way to the bus: reading paused", session.logPrefix(),
                        settings.maxInflight());
        // A callback that ran before `paused` was set did not schedule the resume: look once more.
        resumeIfDrained(ctx);
    }

    private void resumeIfDrained(ChannelHandlerContext ctx) {
        if (paused && inflight <= settings.maxInflight() / 2) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }
}
