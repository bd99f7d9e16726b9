package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code typing} stage of a logged-in connection (docs/PROTOCOL.md §9.15): TYPING frames beyond the
 * connection's budget ({@code gate.limits.typing-per-second} / {@code typing-burst}) are dropped without
 * an answer. A typing signal is transient and the next one carries the same news, so a client typing fast
 * is not told off; other frames pass on untouched. One instance per connection, on its event loop.
 */
public final class TypingThrottle extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TypingThrottle.class);

    private final Session session;
    private final RequestBudget budget;
    private final Ticker ticker;
    private long dropped;

    /** @param perSecond 0 = no budget (every TYPING passes) */
    public TypingThrottle(Session session, int perSecond, int burst, Ticker ticker) {
        this.session = Objects.requireNonNull(session, "session");
        this.budget = perSecond == 0 ? null : new RequestBudget(perSecond, burst);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (budget != null && msg instanceof Frame frame && frame.command() == Command.TYPING.code()
                && budget.take(ticker.nanoTime()) != 0) {
            if (dropped++ == 0) {
                session.identify(log.atDebug())
                        .log("{} TYPING over the connection's budget: dropping such frames silently",
                                session.logPrefix());
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
