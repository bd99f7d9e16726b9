package io.magpie.client.internal;

import io.magpie.client.ClientConfig;
import io.magpie.client.ConnectionLostException;
import io.magpie.client.GateAddress;
import io.magpie.client.LsbClient;
import io.magpie.client.Transport;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.tls.ClientTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the LSB for a gate, then opens TCP or WebSocket to it on the client's event loop group, with
 * TLS when the LSB marks the gate {@code tls} (TCP) or hands out a {@code wss://} URL (WebSocket), and
 * never without it when {@link ClientConfig#requireTls()}. Thread-safe.
 */
public final class NettyGateConnector implements GateConnector {

    private final ClientConfig config;
    private final LsbClient lsb;
    private final EventLoopGroup group;
    private final RateLimitPolicy rateLimits;

    public NettyGateConnector(ClientConfig config, LsbClient lsb, EventLoopGroup group) {
        this.config = config;
        this.lsb = lsb;
        this.group = group;
        this.rateLimits = new RateLimitPolicy(config.rateLimitRetries(),
                new ReconnectBackoff(config.reconnectBackoffBase(), config.reconnectBackoffMax()));
    }

    @Override
    public CompletableFuture<ClientConnection> open(LoginRequest login, ClientHandler.Events events) {
        return lsb.pickGateAsync().thenCompose(gate -> connect(gate, login, events));
    }

    private ClientTls trust() {
        return config.tls() != null ? config.tls() : ClientTls.systemTrust();
    }

    private CompletableFuture<ClientConnection> connect(GateAddress gate, LoginRequest login,
                                                        ClientHandler.Events events) {
        CompletableFuture<ClientConnection> result = new CompletableFuture<>();
        URI ws = null;
        String host = gate.host();
        int port = gate.tcpPort();
        boolean tls = gate.tls();
        if (config.transport() == Transport.WEBSOCKET) {
            ws = gate.ws();
            if (ws == null || !("ws".equals(ws.getScheme()) || "wss".equals(ws.getScheme())) || ws.getHost() == null) {
                result.completeExceptionally(new ConnectionLostException("gate " + gate.gateId()
                        + " offers no ws:// or wss:// WebSocket listener (got " + ws + "); use Transport.TCP or"
                        + " another gate"));
                return result;
            }
            tls = "wss".equals(ws.getScheme());
            host = ws.getHost();
            port = ws.getPort() > 0 ? ws.getPort() : tls ? 443 : 80;
        }
        if (config.requireTls() && !tls) {
            result.completeExceptionally(new ConnectionLostException("gate " + gate.gateId() + " at " + host + ":"
                    + port + " offers no TLS and this client requires it (requireTls); enable tls on the gates"));
            return result;
        }
        ClientHandler handler = new ClientHandler(login, ws != null,
                config.connectTimeout().plus(config.requestTimeout()), config.requestTimeout(), config.heartbeat(),
                rateLimits, events);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ClientChannelInitializer(ws, config.maxFrameBytes(), config.connectTimeout(), handler,
                        tls ? trust().nettyContext() : null, host, port));
        String target = (ws != null ? ws.toString() : (tls ? "tls " : "") + host + ":" + port);
        ChannelFuture connect = bootstrap.connect(host, port);
        connect.addListener(f -> {
            if (f.isSuccess()) {
                result.complete(new ClientConnection(gate, connect.channel(), handler));
            } else {
                result.completeExceptionally(new ConnectionLostException("cannot connect to gate " + gate.gateId()
                        + " at " + target + " within " + config.connectTimeout().toMillis() + " ms: " + f.cause()
                        + "; will ask the LSB again", f.cause()));
            }
        });
        return result;
    }
}
