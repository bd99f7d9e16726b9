package io.magpie.bench.internal.load;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Ping;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Lean authenticated gate connections for the connections scenario: TCP connect (optionally from a given
 * loopback source address and port), LOGIN with a token, wait for LOGIN_ACK, then stay idle sending only the PING
 * the gate asks for. No SDK machinery per connection (no HTTP client, no dedupe tables), so one bench
 * process holds tens of thousands and what is measured is the gate. Uses the protocol's own codecs.
 *
 * <p>Thread-safe. {@link #close()} closes every connection and the event loops.
 */
public final class GateLogins implements AutoCloseable {

    private static final int LOGIN_REQUEST_ID = 1;
    private static final int MAX_FRAME_BYTES = 1 << 20;
    private static final int MAX_BIND_ATTEMPTS = 50;

    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("bench-idle", GlobalEventExecutor.INSTANCE);
    private final LongAdder closedAfterLogin = new LongAdder();
    private final LongAdder unexpectedFrames = new LongAdder();

    private final AfterLogin afterLogin;

    /**
     * What a connection does with the frames it receives once logged in, beyond answering its heartbeat: a
     * lean receiver answers PUSH with PUSH_ACK. Called on the connection's event loop; writes are flushed when
     * the read ends.
     */
    @FunctionalInterface
    public interface AfterLogin {
        /**
         * @param requestIds the connection's request id counter, for a frame written in answer
         * @return false when the frame was not expected (it is counted in {@link #unexpectedFrames()})
         */
        boolean onFrame(ChannelHandlerContext ctx, Frame frame, java.util.function.IntSupplier requestIds);

        /** The read that brought the last frames ended; what is written now is flushed with the rest. */
        default void onReadComplete(ChannelHandlerContext ctx, java.util.function.IntSupplier requestIds) {
        }
    }

    /** Idle connections: only PONG is expected after LOGIN_ACK. */
    public GateLogins(int threads) {
        this(threads, (ctx, frame, ids) -> false);
    }

    /** Connections that hand every frame after LOGIN_ACK other than PONG to {@code afterLogin}. */
    public GateLogins(int threads, AfterLogin afterLogin) {
        this.group = new NioEventLoopGroup(threads, new DefaultThreadFactory("bench-conn", true));
        this.afterLogin = afterLogin;
    }

    /**
     * Connects to {@code gate} (from the address {@code local} supplies, or any address when it supplies
     * null), logs in with {@code token} and completes with the LOGIN_ACK; fails with the server's ERROR, a
     * timeout or the connect failure. A local address already in use is replaced by the next one the
     * supplier gives, up to {@value #MAX_BIND_ATTEMPTS} times.
     */
    public CompletableFuture<LoginAck> open(InetSocketAddress gate, Supplier<InetSocketAddress> local, String token,
                                            Duration timeout) {
        CompletableFuture<LoginAck> result = new CompletableFuture<>();
        connect(gate, local, token, timeout, result, 1);
        return result;
    }

    private void connect(InetSocketAddress gate, Supplier<InetSocketAddress> local, String token, Duration timeout,
                         CompletableFuture<LoginAck> result, int attempt) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                // a port left in TIME_WAIT by an earlier run may be bound again (loopback allows the reuse)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frameDecoder", new FrameDecoder(MAX_FRAME_BYTES));
                        ch.pipeline().addLast("frameEncoder", FrameEncoder.INSTANCE);
                        ch.pipeline().addLast("idleSession", new IdleSession(token, timeout, result));
                    }
                });
        InetSocketAddress from = local.get();
        var connect = from == null ? b.connect(gate) : b.connect(gate, from);
        connect.addListener(f -> {
            if (f.isSuccess()) {
                channels.add(connect.channel());
            } else if (from != null && addressInUse(f.cause()) && attempt < MAX_BIND_ATTEMPTS) {
                connect(gate, local, token, timeout, result, attempt + 1);
            } else {
                result.completeExceptionally(new IllegalStateException("connect to " + gate
                        + (from == null ? "" : " from " + from) + " failed: " + f.cause(), f.cause()));
            }
        });
    }

    /** The chosen local address (or its 4-tuple to the gate) is taken: another port will do. */
    private static boolean addressInUse(Throwable t) {
        return t instanceof BindException
                || (t instanceof java.net.SocketException && String.valueOf(t.getMessage()).contains("Address already in use"));
    }

    /** Connections currently open. */
    public int open() {
        return channels.size();
    }

    /** Connections the gate closed after a successful login (idle connections should stay). */
    public long closedAfterLogin() {
        return closedAfterLogin.sum();
    }

    /** Frames other than LOGIN_ACK / PONG that reached an idle connection (e.g. KICK, ERROR). */
    public long unexpectedFrames() {
        return unexpectedFrames.sum();
    }

    @Override
    public void close() {
        channels.close().awaitUninterruptibly(30, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** LOGIN on connect, LOGIN_ACK completes the future, then PING every heartbeat. One per connection. */
    private final class IdleSession extends SimpleChannelInboundHandler<Frame> {
        private final String token;
        private final Duration timeout;
        private final CompletableFuture<LoginAck> result;
        private ScheduledFuture<?> deadline;
        private ScheduledFuture<?> pinger;
        private int nextRequestId = LOGIN_REQUEST_ID + 1;

        IdleSession(String token, Duration timeout, CompletableFuture<LoginAck> result) {
            this.token = token;
            this.timeout = timeout;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            deadline = ctx.executor().schedule(() -> {
                if (result.completeExceptionally(new IllegalStateException("no LOGIN_ACK within "
                        + timeout.toMillis() + " ms"))) {
                    ctx.close();
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            ctx.writeAndFlush(Frames.of(Command.LOGIN, LOGIN_REQUEST_ID,
                    LoginRequest.newBuilder().setToken(token).setClientVersion("magpie-bench").build()));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (frame.is(Command.LOGIN_ACK) && !result.isDone()) {
                LoginAck ack = Frames.parse(frame, LoginAck.parser());
                deadline.cancel(false);
                long hb = Math.max(1, ack.getHeartbeatSeconds() == 0 ? 30 : ack.getHeartbeatSeconds()) * 1000L;
                // spread the pings of connections opened together over the whole interval
                long first = ThreadLocalRandom.current().nextLong(hb / 2, hb);
                pinger = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(
                        Frames.of(Command.PING, nextRequestId(), Ping.getDefaultInstance())), first, hb, TimeUnit.MILLISECONDS);
                result.complete(ack);
            } else if (frame.is(Command.ERROR) && !result.isDone()) {
                Error e = Frames.parse(frame, Error.parser());
                result.completeExceptionally(new IllegalStateException("LOGIN refused: " + e.getMessage()
                        + " (code " + e.getCode() + ")"));
                ctx.close();
            } else if (!frame.is(Command.PONG) && !(result.isDone() && afterLogin.onFrame(ctx, frame, this::nextRequestId))) {
                unexpectedFrames.increment();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (result.isDone()) {
                afterLogin.onReadComplete(ctx, this::nextRequestId);
            }
            ctx.flush(); // the answers written while reading (PUSH_ACKs), one flush per read
            ctx.fireChannelReadComplete();
        }

        private int nextRequestId() {
            int id = nextRequestId++;
            if (nextRequestId == 0) {
                nextRequestId = LOGIN_REQUEST_ID + 1;
            }
            return id;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (pinger != null) {
                pinger.cancel(false);
            }
            boolean loggedIn = result.isDone() && !result.isCompletedExceptionally();
            if (loggedIn) {
                closedAfterLogin.increment();
            } else {
                result.completeExceptionally(new IllegalStateException("the gate closed the connection before LOGIN_ACK"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(new IllegalStateException("connection failed: " + cause, cause));
            ctx.close();
        }
    }
}
