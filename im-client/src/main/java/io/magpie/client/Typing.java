package io.magpie.client;

import io.magpie.client.internal.ClientConnection;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.TypingRequest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typing signals through one {@link MagpieClient} (docs/PROTOCOL.md §9.15); get it with
 * {@link MagpieClient#typing()}. {@link #send} tells the other members' online devices that this user types;
 * it is never acknowledged nor stored, and the gate drops signals beyond its budget (2 a second by default):
 * send one when the user starts typing and then at most every 3 s while they go on. Thread-safe.
 */
public final class Typing {

    private static final Logger log = LoggerFactory.getLogger(Typing.class);

    private final Supplier<ClientConnection> connection;
    private final List<TypingListener> listeners = new CopyOnWriteArrayList<>();

    Typing(Supplier<ClientConnection> connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /**
     * Sends TYPING for {@code conversationId} ({@code s_<uid>_<uid>} or {@code g_<group id>}). Completes once
     * written; a refusal (not a member: FORBIDDEN) reaches {@link MessageListener#onError}.
     */
    public CompletableFuture<Void> send(String conversationId) {
        if (conversationId == null || conversationId.isBlank()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("conversationId is required"));
        }
        ClientConnection c = connection.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new ConnectionLostException("TYPING not sent: not connected"));
        }
        return c.handler().sendOneWay(Command.TYPING, TypingRequest.newBuilder().setConversationId(conversationId)
                .build());
    }

    public void addListener(TypingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(TypingListener listener) {
        listeners.remove(listener);
    }

    /** Hook: a NOTICE arrived. */
    void onNotice(Notice notice) {
        if (notice.getType() != NoticeType.NOTICE_TYPING) {
            return;
        }
        for (TypingListener l : listeners) {
            try {
                l.onTyping(notice.getConversationId(), notice.getUid());
            } catch (RuntimeException e) {
                log.warn("typing listener {} failed on {}", l, notice.getConversationId(), e);
            }
        }
    }
}
