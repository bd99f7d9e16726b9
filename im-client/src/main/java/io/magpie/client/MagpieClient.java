package io.magpie.client;

import io.magpie.client.internal.ClientConnection;
import io.magpie.client.internal.ConnectionSupervisor;
import io.magpie.client.internal.DeliveryCoordinator;
import io.magpie.client.internal.NoticeTee;
import io.magpie.client.internal.GateConnector;
import io.magpie.client.internal.Listeners;
import io.magpie.client.internal.NettyGateConnector;
import io.magpie.client.internal.ReconnectBackoff;
import io.magpie.client.internal.SessionLogout;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.ClearRequest;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.EditAck;
import io.magpie.protocol.proto.EditRequest;
import io.magpie.protocol.proto.ReactAck;
import io.magpie.protocol.proto.ReactRequest;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.ReplyRef;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.protocol.proto.SyncRequest;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
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
 *   <li>Rate limits: a SEND, SYNC, PULL, READ, RECALL, DELETE or CLEAR the gate refuses with {@code RATE_LIMITED} is resent by the client
 *       after the gate's {@code retry_after_ms}, at most {@link ClientConfig#rateLimitRetries()} times and
 *       within the request timeout; meanwhile that connection's other requests wait and then go one per
 *       retry-after. The future completes with the answer of a resend, or fails with a retryable
 *       {@link MagpieErrorException} {@code RATE_LIMITED} whose {@link MagpieErrorException#retryAfter()} is the
 *       gate's last advice.</li>
 *   <li>Messages go to every {@link MessageListener} exactly once per (conversation, seq) and in seq order
 *       per conversation: a resent PUSH of a delivered seq is not delivered again; a seq that jumps ahead
 *       is held back while the missing range is PULLed (paged), then the range and the held messages are
 *       delivered in order. Messages this device sent are not delivered back (their SEND_ACK placed them).
 *       After every login (first connect, reconnect, move to another gate) the client SYNCs the
 *       conversations changed since the last version it saw and PULLs what it lacks in each. Where it stands
 *       is kept in a {@link ClientState} (in memory by default; pass a persistent one to keep exactly-once
 *       delivery across app restarts). A conversation never seen before starts where SYNC says (its whole
 *       history is pulled); a SYNC without an answer is asked again while the connection lasts, and the
 *       messages of conversations not known yet wait for it (only a SYNC refused for good makes such a
 *       conversation start at the first seq that arrives). Each PUSH is
 *       acknowledged once its messages were delivered or held back.</li>
 *   <li>Heartbeat: PING after one heartbeat interval (from LOGIN_ACK) without writes; no read for three
 *       intervals closes the connection. An unexpected close reconnects through the LSB with exponential
 *       backoff and full jitter; a KICK (e.g. the same device logged in elsewhere), a login refused for
 *       good, {@link #disconnect()}, {@link #logout()} and {@link #close()} do not. A close the gate
 *       announces with an ERROR, such as {@code SLOW_CONSUMER} (this device did not read its output in
 *       time), is an unexpected close: the listeners get RECONNECTING with that ERROR as the cause
 *       ({@link MessageListener#onConnectionStateChanged(ConnectionState, MagpieException)}), and after the
 *       new login the client SYNCs and PULLs what it missed. A RECONNECT from a draining gate moves the
 *       session to another gate, make-before-break.</li>
 *   <li>Conversation state (docs/PROTOCOL.md §9.9-§9.12): {@link #markRead}, {@link #recall}, {@link
 *       #deleteForMe}, {@link #clearHistory} and backward {@link #history} pages; the list settings {@link #pin},
 *       {@link #hide}, {@link #mute} and group {@link #readReceipts} over the account API; per conversation the
 *       read position, unread count, the peer's read receipt, the cleared position and the list settings ({@link
 *       #conversationState}, {@link #totalUnread()}), exact at every SYNC and kept up to date from messages, acks
 *       and NOTICEs in between; the listeners get {@link MessageListener#onRead}, {@link
 *       MessageListener#onPeerRead}, {@link MessageListener#onRecalled}, {@link MessageListener#onDeleted}, {@link
 *       MessageListener#onCleared} and {@link MessageListener#onUnreadChanged}. After a reconnect the client asks
 *       each conversation it holds messages of and whose row changed what changed since the newest version it knew
 *       (PULL {@code since_version}), and reports the recalls and deletions it missed while offline.</li>
 * </ul>
 *
 * <p>Thread-safe. Owns a single-threaded Netty event loop group unless one is given in the config (then
 * the caller owns it). {@link #close()} releases what the client owns but keeps the session valid on the
 * server; {@link #logout()} ends it.
 */
public final class MagpieClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MagpieClient.class);
    /** docs/PROTOCOL.md §5. */
    private static final int MAX_CLIENT_MSG_ID = 64;
    /** docs/PROTOCOL.md §9.5: the most messages a PULL answers. */
    private static final int MAX_PAGE = 200;
    /** docs/PROTOCOL.md §9.11: the most messages one DELETE names. */
    private static final int MAX_DELETE = 100;

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Listeners listeners = new Listeners();
    private final ConnectionSupervisor supervisor;
    private final DeliveryCoordinator delivery;
    private final SessionLogout logout;
    private final Friends friends;
    private final Presence presence;
    private final Typing typing;
    private final Groups groups;

    /** A client whose delivery state lives in memory ({@link InMemoryClientState}). */
    public MagpieClient(ClientConfig config) {
        this(config, new InMemoryClientState());
    }

    /**
     * @param state where this client keeps its sync version and per-conversation positions; one state per
     *              user and device (sharing it between different users mixes their positions)
     */
    public MagpieClient(ClientConfig config, ClientState state) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(state, "state");
        this.ownsGroup = config.eventLoopGroup() == null;
        this.group = ownsGroup
                ? new NioEventLoopGroup(1, new DefaultThreadFactory("magpie-client-" + config.deviceId(), true))
                : config.eventLoopGroup();
        GateConnector connector = new NettyGateConnector(config, new LsbClient(config), group);
        ReconnectBackoff backoff = new ReconnectBackoff(config.reconnectBackoffBase(), config.reconnectBackoffMax());
        this.delivery = new DeliveryCoordinator(state, listeners, this::currentConnection, group, backoff,
                config.syncPageSize(), config.pullPageSize());
        this.friends = new Friends(config, this::currentCredentials);
        this.presence = new Presence(config, this::currentConnection, this::currentCredentials);
        this.typing = new Typing(this::currentConnection);
        this.groups = new Groups(this::currentConnection, this::currentCredentials, this::accountApi);
        this.supervisor = new ConnectionSupervisor(connector, group, backoff, listeners,
                new NoticeTee(delivery, () -> {
                    friends.onLoggedIn();
                    presence.onLoggedIn();
                }, friends::onNotice, presence::onNotice, typing::onNotice, groups::onNotice, n -> {
                    if (n.getType() == io.magpie.protocol.proto.NoticeType.NOTICE_SYSTEM_BROADCAST) {
                        listeners.onSystemBroadcast(n.getSystemNotice());
                    }
                }), config.clock(),
                config.autoReconnect(), config.deviceId(), config.clientVersion(), this::refresh);
        this.logout = new SessionLogout(new SessionLogout.AccountApi() {
            @Override
            public CompletableFuture<Void> revoke(Credentials credentials) {
                return accountApi().logoutAsync(credentials);
            }

            @Override
            public CompletableFuture<Credentials> refresh(Credentials credentials) {
                return accountApi().refreshAsync(credentials);
            }
        }, config.clock(), config.deviceId());
    }

    /** Created on the first refresh or logout only: an HTTP client has threads, and most clients never need one. */
    private AccountClient accountApi;

    private synchronized AccountClient accountApi() {
        if (accountApi == null) {
            accountApi = new AccountClient(config);
        }
        return accountApi;
    }

    private CompletableFuture<Credentials> refresh(Credentials credentials) {
        return accountApi().refreshAsync(credentials);
    }

    /**
     * The credentials the client logs in with: those given to {@link #connect}, or newer ones after it
     * refreshed the access token on its own ({@link MessageListener#onCredentialsRefreshed}).
     */
    public Credentials credentials() {
        return supervisor.credentials();
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
        return connection.handler().request(Command.SEND, request, Command.SEND_ACK, SendAck.parser())
                .thenApply(ack -> {
                    // the app has its own message: it takes its seq without being delivered back
                    delivery.onSent(ack.getConversationId(), ack.getSeq(), ack.getMsgId());
                    return ack;
                });
    }

    /**
     * Asks for the messages of one conversation with seq in {@code [fromSeq, toSeq]} ({@code toSeq} 0 = up
     * to the newest), at most {@code limit} (the server may cap it); {@code PullAck.has_more} says whether
     * to ask again from the last seq + 1. A raw request: what it returns is not delivered to the listeners
     * and does not move the client's positions (gaps are pulled by the client on its own).
     */
    public CompletableFuture<PullAck> pull(String conversationId, long fromSeq, long toSeq, int limit) {
        if (conversationId == null || conversationId.isBlank()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("conversationId is required"));
        }
        if (fromSeq < 1 || (toSeq != 0 && toSeq < fromSeq) || limit < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("pull needs fromSeq >= 1, toSeq 0 or"
                    + " >= fromSeq and limit >= 1, got [" + fromSeq + ", " + toSeq + "] limit " + limit));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("PULL");
        }
        PullRequest request = PullRequest.newBuilder().setConversationId(conversationId).setFromSeq(fromSeq)
                .setToSeq(toSeq).setLimit(limit).build();
        return connection.handler().request(Command.PULL, request, Command.PULL_ACK, PullAck.parser());
    }

    /**
     * Asks for the caller's conversations changed since {@code sinceVersion} (0 = all), one page of at most
     * {@link ClientConfig#syncPageSize()}; pass {@code SyncAck.version} as the next since version while
     * {@code has_more}. A raw request, like {@link #pull}: the client syncs by itself after every login.
     */
    public CompletableFuture<SyncAck> sync(long sinceVersion) {
        if (sinceVersion < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("sinceVersion must be >= 0, got "
                    + sinceVersion));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("SYNC");
        }
        SyncRequest request = SyncRequest.newBuilder().setSinceVersion(sinceVersion).setLimit(config.syncPageSize())
                .build();
        return connection.handler().request(Command.SYNC, request, Command.SYNC_ACK, SyncAck.parser());
    }

    /**
     * Marks {@code conversationId} read up to and including {@code seq} (READ, docs/PROTOCOL.md §9.9). The server
     * keeps the highest position ever marked and clamps one beyond the newest message to it; this user's other
     * devices get {@link MessageListener#onRead}, and in a one-to-one conversation the peer a read receipt
     * ({@link MessageListener#onPeerRead}) unless either hides receipts. Once acknowledged, this client's
     * {@link #conversationState} and {@link #totalUnread()} take the read position the server stored and its exact
     * unread count after it (and {@link MessageListener#onUnreadChanged}).
     *
     * <p>Goes through the connection's request machinery like SEND: bounded by the request timeout, resent on
     * RATE_LIMITED. Resending after a failure is always safe (a read never moves back).
     *
     * @return the conversation row's version after the READ (READ_ACK); fails with {@link MagpieErrorException}
     *         NOT_FOUND when the user has no such conversation, BAD_REQUEST for a malformed id
     */
    public CompletableFuture<Long> markRead(String conversationId, long seq) {
        if (conversationId == null || conversationId.isBlank() || seq < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("markRead needs a conversation id and"
                    + " seq >= 1, got '" + conversationId + "' seq " + seq));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("READ");
        }
        ReadRequest request = ReadRequest.newBuilder().setConversationId(conversationId).setReadSeq(seq).build();
        return connection.handler().request(Command.READ, request, Command.READ_ACK, ActionAck.parser())
                .thenApply(ack -> {
                    delivery.onReadAcked(conversationId, seq, ack);
                    return ack.getVersion();
                });
    }

    /**
     * Marks {@code conversationId} read up to the newest message this client knows of; completes with 0 without
     * asking the server when it knows of none. See {@link #markRead(String, long)}.
     */
    public CompletableFuture<Long> markAllRead(String conversationId) {
        long newest = delivery.lastSeq(conversationId);
        return newest < 1 ? CompletableFuture.completedFuture(0L) : markRead(conversationId, newest);
    }

    /**
     * Recalls the message at {@code seq} (RECALL, docs/PROTOCOL.md §9.10): the sender may within the server's
     * recall window ({@code logic.recall-window}, default 2 minutes), a group's owner and admins any message of
     * it. Every member's devices but this one get {@link MessageListener#onRecalled}; the message becomes a
     * placeholder (status RECALLED, no content) everywhere, and stops counting as unread.
     *
     * @return the message's new version (RECALL_ACK); fails with {@link MagpieErrorException}
     *         RECALL_WINDOW_PASSED (too late), FORBIDDEN (someone else's message), NOT_FOUND (no such seq)
     */
    public CompletableFuture<Long> recall(String conversationId, long seq) {
        if (conversationId == null || conversationId.isBlank() || seq < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("recall needs a conversation id and"
                    + " seq >= 1, got '" + conversationId + "' seq " + seq));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("RECALL");
        }
        MessageActionRequest request = MessageActionRequest.newBuilder().setConversationId(conversationId)
                .setSeq(seq).build();
        return connection.handler().request(Command.RECALL, request, Command.RECALL_ACK, ActionAck.parser())
                .thenApply(ack -> {
                    delivery.onRecallAcked(conversationId, seq, ack.getVersion());
                    return ack.getVersion();
                });
    }

    /**
     * Sets this user's one reaction to the message at {@code seq} (REACT, docs/PROTOCOL.md §9.21), replacing an
     * earlier one, or with a null {@code emoji} takes it back. The other members' devices (and this user's others)
     * get {@link MessageListener#onChanged}.
     *
     * @return the REACT_ACK: the message's new version and its reactions; fails with {@link MagpieErrorException}
     *         REACTION_LIMIT (a new emoji on a message with the most distinct ones), NOT_FOUND, FORBIDDEN
     */
    public CompletableFuture<ReactAck> react(String conversationId, long seq, String emoji) {
        if (conversationId == null || conversationId.isBlank() || seq < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("react needs a conversation id and"
                    + " seq >= 1, got '" + conversationId + "' seq " + seq));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("REACT");
        }
        ReactRequest.Builder request = ReactRequest.newBuilder().setConversationId(conversationId).setSeq(seq);
        if (emoji == null) {
            request.setRemove(true);
        } else {
            request.setEmoji(emoji);
        }
        return connection.handler().request(Command.REACT, request.build(), Command.REACT_ACK, ReactAck.parser())
                .thenApply(ack -> {
                    delivery.onChangeAcked(conversationId, ack.getVersion());
                    return ack;
                });
    }

    /**
     * Replaces the content of this user's message at {@code seq} (EDIT, docs/PROTOCOL.md §9.22), within the
     * server's edit window ({@code logic.edit-window}, default 15 minutes); the type must stay the same, the reply
     * reference and mentions stay as sent. The other devices get {@link MessageListener#onChanged}.
     *
     * @return the EDIT_ACK with the stored content (masked words included); fails with {@link
     *         MagpieErrorException} EDIT_WINDOW_PASSED, FORBIDDEN (someone else's message), BAD_REQUEST, NOT_FOUND
     */
    public CompletableFuture<EditAck> edit(String conversationId, long seq, MessageContent content) {
        if (conversationId == null || conversationId.isBlank() || seq < 1 || content == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("edit needs a conversation id, seq >= 1"
                    + " and content, got '" + conversationId + "' seq " + seq));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("EDIT");
        }
        EditRequest request = EditRequest.newBuilder().setConversationId(conversationId).setSeq(seq)
                .setContent(content).build();
        return connection.handler().request(Command.EDIT, request, Command.EDIT_ACK, EditAck.parser())
                .thenApply(ack -> {
                    delivery.onChangeAcked(conversationId, ack.getVersion());
                    return ack;
                });
    }

    /**
     * Deletes messages for this user only (DELETE, docs/PROTOCOL.md §9.11): on every device of this user they come
     * back from PULL and {@link #history} as placeholders with status DELETED (seqs stay gapless); the other members
     * keep them. This user's other devices get {@link MessageListener#onDeleted} (a device that is offline learns it
     * after its reconnect). Deleted messages of others stop counting as unread. Seqs with no message are ignored;
     * deleting twice changes nothing. Goes through the request machinery like {@link #markRead}; resending after a
     * failure is safe.
     *
     * @param seqs 1-100 messages, each seq >= 1 (duplicates are sent once)
     * @return the conversation row's version after it (DELETE_ACK); fails with {@link MagpieErrorException}
     *         NOT_FOUND when the user has no such conversation, BAD_REQUEST for a malformed id
     */
    public CompletableFuture<Long> deleteForMe(String conversationId, long... seqs) {
        List<Long> distinct = seqs == null ? List.of()
                : Arrays.stream(seqs).distinct().sorted().boxed().toList();
        if (conversationId == null || conversationId.isBlank() || distinct.isEmpty()
                || distinct.size() > MAX_DELETE || distinct.get(0) < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("deleteForMe needs a conversation id"
                    + " and 1-" + MAX_DELETE + " seqs >= 1, got '" + conversationId + "' seqs " + distinct));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("DELETE");
        }
        MessageActionRequest request = MessageActionRequest.newBuilder().setConversationId(conversationId)
                .setSeq(distinct.get(0)).addAllMoreSeqs(distinct.subList(1, distinct.size())).build();
        return connection.handler().request(Command.DELETE, request, Command.DELETE_ACK, ActionAck.parser())
                .thenApply(ack -> {
                    delivery.onDeleteAcked(conversationId, distinct, ack.getVersion());
                    return ack.getVersion();
                });
    }

    /**
     * Clears this user's history of {@code conversationId} up to and including {@code upToSeq} (CLEAR,
     * docs/PROTOCOL.md §9.11; 0 = up to the newest message): on every device of this user PULL and {@link #history}
     * return nothing at or below it, and those messages stop counting as unread; the other members keep theirs.
     * The server never lowers a cleared position and clamps one beyond the newest message. This user's other
     * devices get {@link MessageListener#onCleared}.
     *
     * @return the cleared seq the server stored (CLEAR_ACK): remove what the app shows at or below it; fails with
     *         {@link MagpieErrorException} NOT_FOUND when the user has no such conversation
     */
    public CompletableFuture<Long> clearHistory(String conversationId, long upToSeq) {
        if (conversationId == null || conversationId.isBlank() || upToSeq < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("clearHistory needs a conversation id"
                    + " and upToSeq >= 0 (0 = the newest), got '" + conversationId + "' upToSeq " + upToSeq));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("CLEAR");
        }
        ClearRequest request = ClearRequest.newBuilder().setConversationId(conversationId).setUpToSeq(upToSeq).build();
        return connection.handler().request(Command.CLEAR, request, Command.CLEAR_ACK, ActionAck.parser())
                .thenApply(ack -> {
                    delivery.onClearAcked(conversationId, ack.getSeq(), ack.getVersion());
                    return ack.getSeq();
                });
    }

    /**
     * One page of history, paging backwards (PULL with {@code backward}, docs/PROTOCOL.md §9.5): the newest
     * {@code limit} messages with seq below {@code beforeSeq} ({@code 0}: the newest messages), ascending. Ask
     * for the next page with {@link HistoryPage#oldestSeq()} while {@link HistoryPage#hasMore()}. A raw request
     * like {@link #pull}: the messages are not delivered to the listeners.
     *
     * @param limit 1-200 (the server caps it)
     */
    public CompletableFuture<HistoryPage> history(String conversationId, long beforeSeq, int limit) {
        if (conversationId == null || conversationId.isBlank()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("conversationId is required"));
        }
        if (beforeSeq < 0 || beforeSeq == 1 || limit < 1 || limit > MAX_PAGE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("history needs beforeSeq 0 (newest) or"
                    + " >= 2 and limit 1-" + MAX_PAGE + ", got beforeSeq " + beforeSeq + " limit " + limit
                    + (beforeSeq == 1 ? " (nothing lies below seq 1)" : "")));
        }
        ClientConnection connection = supervisor.current();
        if (connection == null) {
            return notConnected("PULL");
        }
        PullRequest request = PullRequest.newBuilder().setConversationId(conversationId).setFromSeq(1)
                .setToSeq(beforeSeq == 0 ? 0 : beforeSeq - 1).setLimit(limit).setBackward(true).build();
        return connection.handler().request(Command.PULL, request, Command.PULL_ACK, PullAck.parser())
                .thenApply(ack -> {
                    List<Message> page = new ArrayList<>(ack.getMessagesList());
                    page.sort(Comparator.comparingLong(Message::getSeq)); // ascending, whatever the server did
                    return new HistoryPage(page, ack.getHasMore());
                });
    }

    /**
     * Where {@code conversationId} stands for this user (read position, unread, the peer's read receipt), as of
     * the last SYNC and what arrived since; empty when the client has not seen it yet.
     */
    public Optional<ConversationState> conversationState(String conversationId) {
        return delivery.conversationState(conversationId);
    }

    /** {@link #conversationState} of every conversation the client has seen since it was created. */
    public Map<String, ConversationState> conversationStates() {
        return delivery.conversationStates();
    }

    /**
     * Unread messages over all conversations, muted ones excluded (the app badge): the server's exact
     * {@code total_unread} at each SYNC, kept up to date in between; 0 before the first SYNC.
     */
    public long totalUnread() {
        return delivery.totalUnread();
    }

    /**
     * Pins {@code conversationId} for this user or not ({@code PUT /v1/conversations/{id}/pin}, docs/PROTOCOL.md
     * §9.12): {@link ConversationState#pinnedAt()} on every device, after their next SYNC. Completes once stored and
     * this client SYNCed (its {@link #conversationState} shows it then); fails with {@link MagpieApiException} (403
     * not a member; 401 the access token expired: it is refreshed at the next reconnect; 0, 429, 5xx: retryable).
     */
    public CompletableFuture<Void> pin(String conversationId, boolean pinned) {
        return setting(api -> api.setPinnedAsync(supervisor.credentials(), conversationId, pinned));
    }

    /**
     * Hides {@code conversationId} from this user's list or shows it again ({@code PUT /v1/conversations/{id}/hide});
     * {@link ConversationState#hidden()}; a new message shows it again. As {@link #pin}.
     */
    public CompletableFuture<Void> hide(String conversationId, boolean hidden) {
        return setting(api -> api.setHiddenAsync(supervisor.credentials(), conversationId, hidden));
    }

    /**
     * Mutes {@code conversationId} for this user or not ({@code PUT /v1/conversations/{id}/mute}): no push
     * notifications, left out of {@link #totalUnread()}; {@link ConversationState#muted()}. As {@link #pin}.
     */
    public CompletableFuture<Void> mute(String conversationId, boolean muted) {
        return setting(api -> api.setMutedAsync(supervisor.credentials(), conversationId, muted));
    }

    /**
     * Who has read the message at {@code seq} ({@code GET /v1/conversations/{id}/messages/{seq}/receipts},
     * docs/PROTOCOL.md §9.9): group receipts are asked for, not pushed. See {@link AccountClient#readReceipts}.
     */
    public CompletableFuture<ReadReceipts> readReceipts(String conversationId, long seq) {
        Credentials credentials = supervisor.credentials();
        if (credentials == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return accountApi().readReceiptsAsync(credentials, conversationId, seq);
    }

    /**
     * SYNCs now (the client does so by itself after every login): picks up what no PUSH or NOTICE carries, such as
     * another device's mute, pin or hide, e.g. when the app comes to the foreground. Completes once the answer was
     * applied to {@link #conversationState}; fails with a {@link ConnectionLostException} when not connected.
     */
    public CompletableFuture<Void> syncNow() {
        return delivery.syncNow();
    }

    private CompletableFuture<Void> setting(Function<AccountClient, CompletableFuture<Void>> call) {
        if (supervisor.credentials() == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return call.apply(accountApi()).thenCompose(stored -> delivery.syncNow()
                .exceptionally(notSynced -> null)); // stored: the next login's SYNC brings it if this one failed
    }

    /**
     * Shares this user's read receipts or not, over the account API ({@code PUT /v1/me/settings/read-receipts},
     * docs/PROTOCOL.md §9.9) with the {@link #credentials()}. Applies to all the user's devices.
     *
     * @return completes once stored (204); fails with {@link MagpieApiException} (401 when the access token
     *         expired: it is refreshed at the next reconnect; 0, 429, 5xx: retryable)
     */
    public CompletableFuture<Void> setReadReceipts(boolean enabled) {
        Credentials credentials = supervisor.credentials();
        if (credentials == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return accountApi().setReadReceiptsAsync(credentials, enabled);
    }

    /** Friends, friend requests, blocks and the DM policy of this user (docs/PROTOCOL.md §9.13). */
    public Friends friends() {
        return friends;
    }

    /** Presence: query, watch list, changes of watched users, own status (docs/PROTOCOL.md §9.14). */
    public Presence presence() {
        return presence;
    }

    /** Typing signals: send and receive (docs/PROTOCOL.md §9.15). */
    public Typing typing() {
        return typing;
    }

    /** Group creation, changes (GROUP commands) and member paging for this client (docs/PROTOCOL.md §9.16). */
    public Groups groups() {
        return groups;
    }

    private Credentials currentCredentials() {
        return supervisor == null ? null : supervisor.credentials();
    }

    /** Counters of in-order delivery since this client was created. */
    public DeliveryStats deliveryStats() {
        return delivery.stats();
    }

    private ClientConnection currentConnection() {
        return supervisor.current();
    }

    private <T> CompletableFuture<T> notConnected(String what) {
        return CompletableFuture.failedFuture(new ConnectionLostException(what + " not sent: not connected (state "
                + supervisor.state() + "); try again once CONNECTED"));
    }

    /**
     * Sends a text message with a fresh random client msg id (read it back from the ack). To resend after
     * a retryable failure with the same id, use {@link #send} with your own id instead.
     */
    public CompletableFuture<SendAck> sendText(ConversationType type, long targetId, String text) {
        MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText(text).build();
        return send(UUID.randomUUID().toString(), type, targetId, content);
    }

    /**
     * Uploads an image and sends it (docs/PROTOCOL.md §1.3): {@code POST /v1/media} for the conversation with
     * {@code targetId}, then SEND of an IMAGE whose {@code MediaInfo} carries the stored references, type, size,
     * dimensions and thumbnail. Fails with the upload's {@link MagpieApiException} (413, 415, 403) before anything
     * is sent, or as {@link #send} does.
     */
    public CompletableFuture<SendAck> sendImage(ConversationType type, long targetId, java.nio.file.Path image) {
        return sendMedia(type, targetId, image, AccountClient.guessMimeType(image), null);
    }

    /** As {@link #sendImage}, for any file: the message type follows the MIME type (IMAGE, AUDIO, VIDEO, FILE). */
    public CompletableFuture<SendAck> sendFile(ConversationType type, long targetId, java.nio.file.Path file) {
        return sendMedia(type, targetId, file, AccountClient.guessMimeType(file), null);
    }

    /**
     * Uploads {@code file} as {@code mimeType} and sends it with an optional {@code caption} (null for none), with a
     * fresh random client msg id. The upload happens once; to resend after a retryable SEND failure, use {@link
     * #send} with the same content.
     */
    public CompletableFuture<SendAck> sendMedia(ConversationType type, long targetId, java.nio.file.Path file,
                                                String mimeType, String caption) {
        Credentials credentials = supervisor.credentials();
        if (credentials == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        String conversationId;
        if (type == ConversationType.SINGLE) {
            if (targetId == credentials.uid() || targetId <= 0) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("targetId must be another user's"
                        + " uid, got " + targetId));
            }
            conversationId = io.magpie.protocol.ConversationIds.single(credentials.uid(), targetId);
        } else if (type == ConversationType.GROUP) {
            conversationId = io.magpie.protocol.ConversationIds.group(targetId);
        } else {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "conversation type must be SINGLE or GROUP, got " + type));
        }
        return accountApi().uploadMediaAsync(credentials, conversationId, file, mimeType).thenCompose(media -> {
            MessageContent.Builder content = MessageContent.newBuilder().setType(messageType(media.mimeType()))
                    .setMedia(media.toMediaInfo());
            if (caption != null) {
                content.setText(caption);
            }
            return send(UUID.randomUUID().toString(), type, targetId, content.build());
        });
    }

    /**
     * Signed download URLs of a media a message referenced ({@code MediaInfo.url}); see {@link
     * AccountClient#mediaUrls}.
     */
    public CompletableFuture<MediaUrls> mediaUrls(String mediaUrl) {
        Credentials credentials = supervisor.credentials();
        if (credentials == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return accountApi().mediaUrlsAsync(credentials, mediaUrl);
    }

    private static MessageType messageType(String mimeType) {
        if (mimeType.startsWith("image/")) {
            return MessageType.IMAGE;
        }
        if (mimeType.startsWith("audio/")) {
            return MessageType.AUDIO;
        }
        if (mimeType.startsWith("video/")) {
            return MessageType.VIDEO;
        }
        return MessageType.FILE;
    }

    /**
     * Sends a text message that replies to (quotes) the message at {@code quotedSeq} of the same conversation, with
     * a fresh random client msg id (docs/PROTOCOL.md §9.19). The server fills in the quote (sender, type, preview):
     * the SEND_ACK's {@code content} carries it. Refused with {@code NOT_FOUND} when there is no such message.
     */
    public CompletableFuture<SendAck> reply(ConversationType type, long targetId, long quotedSeq, String text) {
        MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText(text)
                .setReplyTo(ReplyRef.newBuilder().setSeq(quotedSeq)).build();
        return send(UUID.randomUUID().toString(), type, targetId, content);
    }

    /**
     * Sends a text message to a group that mentions {@code mentionedUids} (at most 50) or, with {@code
     * mentionAll}, every member (admins and the owner only; others get {@code MENTION_ALL_NOT_ALLOWED}; over the
     * group's hourly @all budget {@code MENTION_ALL_LIMITED}, not resent), with a fresh random client msg id
     * (docs/PROTOCOL.md §9.20). The mentioned members' conversation rows show
     * {@link ConversationState#mentioned()} until they read past it.
     */
    public CompletableFuture<SendAck> sendMention(long groupId, String text, Collection<Long> mentionedUids,
            boolean mentionAll) {
        MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText(text)
                .addAllMentionedUids(mentionedUids).setMentionAll(mentionAll).build();
        return send(UUID.randomUUID().toString(), ConversationType.GROUP, groupId, content);
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
     * Logs this device out for good: the server ends its session, so neither its access token nor its
     * refresh token work any more (docs/PROTOCOL.md §9.6). The client stops reconnecting at once and stays
     * DISCONNECTED; {@link #connect} may be called again with new credentials.
     *
     * <p>In this order: {@code DELETE /v1/sessions/current} on the account API with the access token
     * (refreshed first with the refresh token when it has expired, as it has on a connection older than the
     * token's lifetime), then LOGOUT on the live connection, if any, which the gate closes. Works while
     * disconnected or reconnecting too (only the HTTP call is made then).
     *
     * <p>The future completes normally once the server ended the session, or found it already ended (logged
     * out, kicked, replaced by a newer login): the token or refresh token was refused with 401. It fails with
     * a {@link MagpieApiException} naming the account API's status and code when the session could not be
     * revoked over HTTP (unreachable, 429, 5xx: {@link MagpieException#retryable()} is true). The gate was
     * still sent LOGOUT then, which ends the session at the gates, but the refresh token may keep working
     * until it expires: call {@code logout()} again later. Such failures are also logged with uid and
     * device. Before any connect there is nothing to revoke and the future completes at once.
     */
    public CompletableFuture<Void> logout() {
        return logout.logout(supervisor);
    }

    /**
     * Releases the client: closes the connection without reconnecting and, if the client owns its event
     * loop group, shuts it down (waiting briefly unless called from that event loop). Idempotent. Does
     * <em>not</em> log out: the session and its tokens stay valid on the server, so an app that closes the
     * client when it exits can connect again next time with the credentials it stored. Call {@link #logout()}
     * first (and wait for it) to end the session.
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
