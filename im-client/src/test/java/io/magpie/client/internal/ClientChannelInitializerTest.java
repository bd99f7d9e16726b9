package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.WebSocketFrameAdapter;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.Reconnect;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client pipelines over real loopback sockets, against a minimal peer built from the same
 * im-protocol codecs a gate uses: proves the framing, the WebSocket upgrade and masking, and that
 * LOGIN goes out only once the transport is ready. (The real gate is exercised end to end in im-server.)
 */
class ClientChannelInitializerTest {

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers LOGIN with LOGIN_ACK and SEND with SEND_ACK, echoing request ids, like a gate would. */
    static final class Peer extends SimpleChannelInboundHandler<Frame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (frame.is(Command.LOGIN)) {
                String token = Frames.parse(frame, LoginRequest.parser()).getToken();
                ctx.writeAndFlush(Frames.of(Command.LOGIN_ACK, frame.requestId(), LoginAck.newBuilder()
                        .setUid(token.length()).setGateId("peer").setHeartbeatSeconds(30).build()));
            } else if (frame.is(Command.SEND)) {
                SendRequest send = Frames.parse(frame, SendRequest.parser());
                ctx.writeAndFlush(Frames.of(Command.SEND_ACK, frame.requestId(),
                        SendAck.newBuilder().setClientMsgId(send.getClientMsgId()).setSeq(1).build()));
            }
        }
    }

    private int startPeer(boolean webSocket) {
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (webSocket) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new WebSocketServerProtocolHandler("/ws"), WebSocketFrameAdapter.INSTANCE);
                        }
                        ch.pipeline().addLast(new FrameDecoder(65536), FrameEncoder.INSTANCE, new Peer());
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private ClientHandler connect(URI ws, int port) {
        ClientHandler handler = new ClientHandler(LoginRequest.newBuilder().setToken("12345").build(), ws != null,
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30), new NoEvents());
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ClientChannelInitializer(ws, 65536, Duration.ofSeconds(5), handler))
                .connect("127.0.0.1", port).syncUninterruptibly();
        return handler;
    }

    private static void loginAndSend(ClientHandler handler) throws Exception {
        assertEquals(5, handler.loginFuture().get(10, TimeUnit.SECONDS).getUid(), "the peer saw our token");
        SendAck ack = handler.request(Command.SEND, SendRequest.newBuilder().setClientMsgId("c-1")
                .setConversationType(ConversationType.SINGLE).setTargetId(2).build(), Command.SEND_ACK, SendAck.parser())
                .get(10, TimeUnit.SECONDS);
        assertEquals("c-1", ack.getClientMsgId());
    }

    @Test
    void loginAndSendOverTcp() throws Exception {
        int port = startPeer(false);

        loginAndSend(connect(null, port));
    }

    @Test
    void loginAndSendInsideWebSocketBinaryMessages() throws Exception {
        int port = startPeer(true);

        loginAndSend(connect(URI.create("ws://127.0.0.1:" + port + "/ws"), port));
    }

    private static final class NoEvents implements ClientHandler.Events {
        @Override
        public void onPush(Push push) {
        }

        @Override
        public void onKick(Kick kick) {
        }

        @Override
        public void onReconnectRequested(Reconnect reconnect) {
        }

        @Override
        public void onServerError(MagpieErrorException error) {
        }

        @Override
        public void onClosed(MagpieException reason) {
        }
    }
}
