package io.magpie.client.internal;

import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.Push;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session hooks of a client with extra features beside delivery: everything goes to the delivery hooks
 * first, then NOTICEs to each tap (presence, typing) and logins to {@code onLoggedIn}. A tap that throws is
 * logged and does not keep the others from running. Thread-safe if the parts are.
 */
public final class NoticeTee implements ConnectionSupervisor.SessionHooks {

    private static final Logger log = LoggerFactory.getLogger(NoticeTee.class);

    private final ConnectionSupervisor.SessionHooks delivery;
    private final Runnable onLoggedIn;
    private final List<Consumer<Notice>> taps;

    @SafeVarargs
    public NoticeTee(ConnectionSupervisor.SessionHooks delivery, Runnable onLoggedIn, Consumer<Notice>... taps) {
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.onLoggedIn = Objects.requireNonNull(onLoggedIn, "onLoggedIn");
        this.taps = List.of(taps);
    }

    @Override
    public void onLoggedIn(ClientConnection connection) {
        delivery.onLoggedIn(connection);
        try {
            onLoggedIn.run();
        } catch (RuntimeException e) {
            log.warn("a login hook failed", e);
        }
    }

    @Override
    public void onPush(Push push) {
        delivery.onPush(push);
    }

    @Override
    public void onNotice(Notice notice) {
        delivery.onNotice(notice);
        for (Consumer<Notice> tap : taps) {
            try {
                tap.accept(notice);
            } catch (RuntimeException e) {
                log.warn("a notice tap failed on {}", notice.getType(), e);
            }
        }
    }
}
