package io.magpie.client.internal;

import io.magpie.client.ConnectionState;
import io.magpie.client.MagpieException;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans each event out to every registered {@link MessageListener}; one listener's exception is logged
 * and does not keep the others from running. Thread-safe.
 */
public final class Listeners implements MessageListener {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private final List<MessageListener> listeners = new CopyOnWriteArrayList<>();

    public void add(MessageListener l) {
        listeners.add(l);
    }

    public void remove(MessageListener l) {
        listeners.remove(l);
    }

    @Override
    public void onMessage(Message message) {
        for (MessageListener l : listeners) {
            try {
                l.onMessage(message);
            } catch (RuntimeException e) {
                log.warn("[conv={} seq={}] listener {} failed on a message; it is still acknowledged",
                        message.getConversationId(), message.getSeq(), l, e);
            }
        }
    }

    @Override
    public void onKicked(Kick kick) {
        for (MessageListener l : listeners) {
            try {
                l.onKicked(kick);
            } catch (RuntimeException e) {
                log.warn("listener {} failed on a kick", l, e);
            }
        }
    }

    @Override
    public void onConnectionStateChanged(ConnectionState state) {
        onConnectionStateChanged(state, null);
    }

    @Override
    public void onConnectionStateChanged(ConnectionState state, MagpieException cause) {
        for (MessageListener l : listeners) {
            try {
                l.onConnectionStateChanged(state, cause);
            } catch (RuntimeException e) {
                log.warn("listener {} failed on state {}", l, state, e);
            }
        }
    }

    @Override
    public void onError(MagpieException error) {
        for (MessageListener l : listeners) {
            try {
                l.onError(error);
            } catch (RuntimeException e) {
                log.warn("listener {} failed on error {}", l, error, e);
            }
        }
    }

    @Override
    public void onCredentialsRefreshed(io.magpie.client.Credentials credentials) {
        for (MessageListener l : listeners) {
            try {
                l.onCredentialsRefreshed(credentials);
            } catch (RuntimeException e) {
                log.warn("listener {} failed on refreshed credentials {}", l, credentials, e);
            }
        }
    }

    @Override
    public void onRead(String conversationId, long readSeq) {
        each(l -> l.onRead(conversationId, readSeq), "a read of " + conversationId);
    }

    @Override
    public void onPeerRead(String conversationId, long peerUid, long readSeq) {
        each(l -> l.onPeerRead(conversationId, peerUid, readSeq), "a read receipt of " + conversationId);
    }

    @Override
    public void onSystemBroadcast(io.magpie.protocol.proto.SystemNotice notice) {
        each(l -> l.onSystemBroadcast(notice), "an operator's broadcast " + notice.getBroadcastId());
    }

    @Override
    public void onRecalled(RecalledMessage recalled) {
        each(l -> l.onRecalled(recalled), "a recall in " + recalled.conversationId());
    }

    @Override
    public void onChanged(Message message) {
        each(l -> l.onChanged(message), "a change of seq " + message.getSeq() + " in " + message.getConversationId());
    }

    @Override
    public void onDeleted(String conversationId, List<Long> seqs) {
        each(l -> l.onDeleted(conversationId, seqs), "a delete for me in " + conversationId);
    }

    @Override
    public void onCleared(String conversationId, long clearedSeq) {
        each(l -> l.onCleared(conversationId, clearedSeq), "a clear of " + conversationId);
    }

    @Override
    public void onUnreadChanged(String conversationId, long unreadCount, long totalUnread) {
        each(l -> l.onUnreadChanged(conversationId, unreadCount, totalUnread), "an unread count of " + conversationId);
    }

    private void each(Consumer<MessageListener> call, String what) {
        for (MessageListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("listener {} failed on {}", l, what, e);
            }
        }
    }
}
