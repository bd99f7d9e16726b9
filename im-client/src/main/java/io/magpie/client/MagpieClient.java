package io.magpie.client;

import io.magpie.client.internal.ClientConnection;
import io.magpie.client.internal.ConnectionSupervisor;
import io.magpie.client.internal.DeliveryDeduplicator;
import io.magpie.client.internal.GateConnector;
import io.magpie.client.internal.Listeners;
import io.magpie.client.internal.NettyGateConnector;
import io.magpie.client.internal.ReconnectBackoff;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Magpie client SDK: one user session on one device, over TCP or WebSocket to a gate the LSB
 * chose (ARCHITECTURE §2 steps 2-3 and 8-9, client side).
 *
 * <ul>
 *   <li>{@link #connect(Credentials)} asks the LSB, opens the connection, sends LOGIN and completes with
 *       LOGIN_ACK (or fails with the server's {@link MagpieErrorException}, an {@link MagpieApiException}
 *       from the LSB, or a {@link ConnectionLostException}).</li>
 *   <li>{@link #send} completes with SEND_ACK, which means the message is durable. It fails with the
 *       server's {@link MagpieErrorException}, a {@link RequestTimeoutException} after the request timeout,
 *       or a {@link ConnectionLostException} when the connection dropped with it in flight (or there was
 *       none). Whenever {@link MagpieException#retryable()} is true, resend with the same client msg id:
 *       the server stores it once and answers with the original ack.</li>
 *   <li>Pushed messages go to every {@link MessageListener}; each PUSH is acknowledged after the listeners
 *       ran. A resent PUSH of an already delivered (conversation, seq) is not delivered again. Detecting
 *       gaps and pulling them, and SYNC after reconnecting, are not implemented yet (a later issue).</li>
 *   <li>Heartbeat: PING after one heartbeat interval (from LOGIN_ACK) without writes; no read for three
 *       intervals closes the connection. An unexpected close reconnects through the LSB with exponential
 *       backoff and full jitter; a KICK (e.g. the same device logged in elsewhere), a login refused for
 *       good, {@link #disconnect()}, {@link #logout()} and {@link #close()} do not. A RECONNECT from a
 *       draining gate moves the session to another gate, make-before-break.</li>
 * </ul>
 *
 * <p>Thread-safe. Owns a single-threaded Netty event loop group unless one is given in the config (then
 * the caller owns it). {@link #close()} ends the session and releases what the client owns.
 */
public final class MagpieClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MagpieClient.class);
    /** Conversations whose delivered seqs are remembered for deduplication (LRU beyond that). */
    private static final int DEDUP_CONVERSATIONS = 10_000;
    /** docs/PROTOCOL.md §5. */
    private static final int MAX_CLIENT_MSG_ID = 64;

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Listeners listeners = new Listeners();
    private final ConnectionSupervisor supervisor;

    public MagpieClient(ClientConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.ownsGroup = config.eventLoopGroup() == null;
        this.group = ownsGroup
                ? new NioEventLoopGroup(1, new DefaultThreadFactory("magpie-client-" + config.deviceId(), true))
                : config.eventLoopGroup();
        GateConnector connector = new NettyGateConnector(config, new LsbClient(config), group);
        this.supervisor = new ConnectionSupervisor(connector, group,
                new ReconnectBackoff(config.reconnectBackoffBase(), config.reconnectBackoffMax()),
                listeners, new DeliveryDeduplicator(DEDUP_CONVERSATIONS), config.clock(), config.autoReconnect(),
                config.deviceId(), config.clientVersion());
    }

    public ClientConfig config() {
        return config;
    }

    /**
     * Connects and logs in with {@code credentials} (from {@link AccountClient#login}). If this first
     * attempt fails the client does not retry on its own; once connected, drops are reconnected.
     *
     * @throws IllegalStateException (in the future) when already connecting or connected, or closed
     */
    public CompletableFuture<LoginAck> connect(Credentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        return supervisor.connect(credentials);
    }

    /**
     * Sends a message.
     *
     * @param clientMsgId unique per sender for this message; reuse it when resending after a retryable failure
     * @param targetId    the peer uid (SINGLE) or the group id (GROUP)
     */
    public CompletableFuture<SendAck> send(String clientMsgId, ConversationType type, long targetId,
                                           MessageContent content) {
        if (clientMsgId == null || clientMsgId.isBlank() || clientMsgId.length() > MAX_CLIENT_MSG_ID) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("clientMsgId must be 1-"
                    + MAX_CLIENT_MSG_ID + " characters, got '" + clientMsgId + "'"));
        }
        if (type == null || type == ConversationType.CONVERSATION_TYPE_UNSPECIFIED || type == ConversationType.UNRECOGNIZED) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "conversation type must be SINGLE or GROUP, got " + type));
        }
        Objects.requireNonNull(content, "content");
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return CompletableFuture.failedFuture(new ConnectionLostException("not connected (state "
                    + supervisor.state() + "); resend with the same client msg id once CONNECTED"));
        }
        SendRequest request = SendRequest.newBuilder()
                .setClientMsgId(clientMsgId)
                .setConversationType(type)
                .setTargetId(targetId)
                .setContent(content)
                .build();
        return connection.handler().request(Command.SEND, request, Command.SEND_ACK, SendAck.parser());
    }

    /**
     * Sends a text message with a fresh random client msg id (read it back from the ack). To resend after
     * a retryable failure with the same id, use {@link #send} with your own id instead.
     */
    public CompletableFuture<SendAck> sendText(ConversationType type, long targetId, String text) {
        MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText(text).build();
        return send(UUID.randomUUID().toString(), type, targetId, content);
    }

    public void addListener(MessageListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(MessageListener listener) {
        listeners.remove(listener);
    }

    public ConnectionState state() {
        return supervisor.state();
    }

    /**
     * Closes the connection without reconnecting and without telling the gate anything (as if the
     * network went away); {@link #connect} may be called again.
     */
    public CompletableFuture<Void> disconnect() {
        return supervisor.disconnect();
    }

    /**
     * Logs this device out: sends LOGOUT (the gate ends the session and closes the connection), then
     * stays disconnected; {@link #connect} may be called again.
     */
    public CompletableFuture<Void> logout() {
        return supervisor.logout();
    }

    /**
     * Ends the session and, if the client owns its event loop group, shuts it down (waiting briefly
     * unless called from that event loop). Idempotent.
     */
    @Override
    public void close() {
        CompletableFuture<Void> closed = supervisor.close();
        if (!ownsGroup) {
            return;
        }
        boolean onOwnLoop = group.next().inEventLoop();
        if (!onOwnLoop) {
            try {
                closed.get(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("[device={}] connection close not confirmed ({}); the group shutdown closes it",
                        config.deviceId(), e.toString());
            }
        }
        var shutdown = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (!onOwnLoop) {
            shutdown.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
