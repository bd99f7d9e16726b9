package io.magpie.client.internal;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of one connection that wait for their answer (SEND, SYNC, PULL...): gives each write a
 * request id (docs/PROTOCOL.md §3), matches answers and ERRORs to them, and bounds each by the request
 * timeout, counted from the call, whatever happens in between.
 *
 * <p>A request refused with {@code RATE_LIMITED} (or {@code SERVER_BUSY} with a retry-after) is not failed: it is written again with a new request id
 * after the gate's {@code retry_after_ms} (the {@link RateLimitPolicy}'s fallback when there is none), up to
 * {@link RateLimitPolicy#maxRetries()} times, and meanwhile the connection's other requests wait in the
 * {@link RequestPacer} too. Once the resends ran out, or the next one would come after the request timeout,
 * or the timeout passed while it waited, the caller gets a retryable {@link MagpieErrorException}
 * {@code RATE_LIMITED} saying how often and with which retry-after it was refused. A request that was
 * written and is not answered in time gets a {@link RequestTimeoutException}; when the connection closes,
 * every request written or waiting fails with the {@link ConnectionLostException} given.
 *
 * <p>One instance per connection, created by its {@link ClientHandler}; confined to the channel's event loop.
 */
final class OutstandingRequests {

    private static final Logger log = LoggerFactory.getLogger(OutstandingRequests.class);

    private final ChannelHandlerContext ctx;
    private final Duration timeout;
    private final RateLimitPolicy rateLimits;
    private final Supplier<String> who;
    private final Map<Integer, Request<?>> written = new HashMap<>();
    private final RequestPacer<Request<?>> pacer;
    private int lastRequestId;
    private long made;
    private boolean flushScheduled;

    /** @param who the connection's log prefix (it changes at login) */
    OutstandingRequests(ChannelHandlerContext ctx, Duration timeout, RateLimitPolicy rateLimits,
                        Supplier<String> who) {
        this.ctx = ctx;
        this.timeout = timeout;
        this.rateLimits = rateLimits;
        this.who = who;
        this.pacer = new RequestPacer<>(ctx.executor(), Comparator.<Request<?>>comparingLong(r -> r.order),
                this::write);
    }

    /** The next request id of this connection: wraps within u32, skips 0 and ids still waiting for an answer. */
    int nextRequestId() {
        do {
            lastRequestId++;
        } while (lastRequestId == 0 || written.containsKey(lastRequestId));
        return lastRequestId;
    }

    /** Sends {@code command} now, or once the connection's rate-limit pause allows; {@code future} gets the answer. */
    <T> void submit(Command command, MessageLite body, Command answer, Parser<T> parser, CompletableFuture<T> future) {
        Request<T> request = new Request<>(made++, command, body, answer, parser, future);
        request.deadline = ctx.executor().schedule(() -> expire(request), timeout.toMillis(), TimeUnit.MILLISECONDS);
        pacer.submit(request);
    }

    /** An answer frame; false when it answers nothing that waits (e.g. it came after the timeout). */
    boolean answer(Frame frame, Command command) {
        Request<?> request = frame.requestId() == 0 ? null : written.remove(frame.requestId());
        if (request == null) {
            return false;
        }
        if (request.answer != command) {
            request.fail(new MagpieErrorException(ErrorCode.BAD_REQUEST, "the gate answered " + request.command
                    + " (request " + Integer.toUnsignedString(frame.requestId()) + ") with " + command
                    + " instead of " + request.answer, false));
            return true;
        }
        request.complete(frame);
        return true;
    }

    /**
     * An ERROR carrying a request id: fails that request, or puts it back for a resend when the gate only
     * rate-limited it. Any {@code RATE_LIMITED} with a retry-after pauses the connection's requests, even one
     * about a frame that has no answer (a PUSH_ACK or PING over the frame budget).
     *
     * @return false when the ERROR answers no request that waits
     */
    boolean refuse(int requestId, MagpieErrorException error) {
        Request<?> request = requestId == 0 ? null : written.remove(requestId);
        if (!resendable(error)) {
            if (request != null) {
                request.fail(error);
            }
            return request != null;
        }
        if (request == null) {
            if (!error.retryAfter().isZero()) {
                pacer.pause(error.retryAfter(), error.code() == ErrorCode.RATE_LIMITED);
            }
            return false;
        }
        Duration wait = rateLimits.delay(error.retryAfter(), request.refusals);
        pacer.pause(wait, error.code() == ErrorCode.RATE_LIMITED);
        request.refusals++;
        request.lastRefusal = error;
        long left = request.deadline.getDelay(TimeUnit.MILLISECONDS);
        if (request.refusals > rateLimits.maxRetries()) {
            request.fail(rateLimited(request, wait, "gave up after " + rateLimits.maxRetries()
                    + " resends (client.rateLimitRetries)"));
        } else if (wait.toMillis() >= left) {
            request.fail(rateLimited(request, wait, "the request timeout of " + timeout.toMillis() + " ms leaves "
                    + Math.max(0, left) + " ms, less than that"));
        } else {
            if (request.refusals == 1) {
                log.debug("{} {} rate limited by the gate; resending in {} ms", who.get(), request.command,
                        wait.toMillis());
            }
            pacer.requeue(request);
        }
        return true;
    }

    /** The connection closed: everything written or waiting fails with {@code lost}. */
    void closed(ConnectionLostException lost) {
        List<Request<?>> all = new ArrayList<>(written.values());
        written.clear();
        all.addAll(pacer.drain());
        for (Request<?> request : all) {
            request.fail(lost);
        }
    }

    private void write(Request<?> request) {
        if (request.future.isDone()) {
            return;
        }
        int requestId = nextRequestId();
        request.requestId = requestId;
        written.put(requestId, request);
        ctx.write(Frames.of(request.command, requestId, request.body)).addListener(f -> {
            if (!f.isSuccess() && written.remove(requestId, request)) {
                request.fail(new ConnectionLostException(who.get() + " " + request.command + " (request "
                        + Integer.toUnsignedString(requestId) + ") could not be written: " + f.cause()
                        + "; resend when connected", f.cause()));
            }
        });
        scheduleFlush();
    }

    /** Flushes once after all requests queued on the event loop right now, not once per request. */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(() -> {
                flushScheduled = false;
                ctx.flush();
            });
        }
    }

    private void expire(Request<?> request) {
        if (request.requestId != 0 && written.remove(request.requestId, request)) {
            request.fail(new RequestTimeoutException(who.get() + " no answer to " + request.command + " (request "
                    + Integer.toUnsignedString(request.requestId) + ") within " + timeout.toMillis()
                    + " ms; resend it unchanged (same client msg id)"));
        } else if (pacer.remove(request)) {
            request.fail(rateLimited(request, pacer.pace(), "the request timeout of " + timeout.toMillis()
                    + " ms passed while it waited for its turn"));
        }
    }

    /**
     * RATE_LIMITED, and SERVER_BUSY that names a retry-after (the gate held the request back while the message
     * bus was slow): both say "the same request later", so the connection resends it itself.
     */
    private static boolean resendable(MagpieErrorException error) {
        return error.code() == ErrorCode.RATE_LIMITED
                || (error.code() == ErrorCode.SERVER_BUSY && !error.retryAfter().isZero());
    }

    private MagpieErrorException rateLimited(Request<?> request, Duration retryAfter, String outcome) {
        MagpieErrorException last = request.lastRefusal;
        ErrorCode code = last == null ? ErrorCode.RATE_LIMITED : last.code();
        String refused = last == null
                ? request.command + " not sent: the gate rate-limited this connection (RATE_LIMITED, retry after "
                        + retryAfter.toMillis() + " ms) and its requests wait their turn"
                : request.command + " refused with " + code + " " + request.refusals + " time(s), retry after "
                        + retryAfter.toMillis() + " ms (gate: " + last.getMessage() + ")";
        return new MagpieErrorException(code, last == null ? ErrorCode.RATE_LIMITED.code()
                : last.rawCode(), who.get() + " " + refused + "; " + outcome + ". Resend it later (a SEND with the"
                + " same client msg id)", true, retryAfter);
    }

    /** One request until it is answered, failed, or given up. */
    private static final class Request<T> {
        final long order;
        final Command command;
        final MessageLite body;
        final Command answer;
        final Parser<T> parser;
        final CompletableFuture<T> future;
        ScheduledFuture<?> deadline;
        /** The id of its latest write; 0 before the first. */
        int requestId;
        int refusals;
        MagpieErrorException lastRefusal;

        Request(long order, Command command, MessageLite body, Command answer, Parser<T> parser,
                CompletableFuture<T> future) {
            this.order = order;
            this.command = command;
            this.body = body;
            this.answer = answer;
            this.parser = parser;
            this.future = future;
        }

        void complete(Frame frame) {
            deadline.cancel(false);
            try {
                future.complete(Frames.parse(frame, parser));
            } catch (ProtocolException e) {
                future.completeExceptionally(new MagpieErrorException(ErrorCode.BAD_REQUEST,
                        "the gate's " + Command.nameOf(frame.command()) + " could not be parsed: " + e.getMessage(),
                        false));
            }
        }

        void fail(Throwable t) {
            deadline.cancel(false);
            future.completeExceptionally(t);
        }
    }
}
