package io.magpie.client;

import io.magpie.client.internal.ClientConnection;
import io.magpie.client.internal.ConnectionSupervisor.SessionHooks;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.Push;

/** Passes a session's events to the delivery side and, for logins and NOTICEs, to {@link Friends} too. */
final class FriendNoticeHooks implements SessionHooks {

    private final SessionHooks delivery;
    private final Friends friends;

    FriendNoticeHooks(SessionHooks delivery, Friends friends) {
        this.delivery = delivery;
        this.friends = friends;
    }

    @Override
    public void onLoggedIn(ClientConnection connection) {
        delivery.onLoggedIn(connection);
        friends.onLoggedIn();
    }

    @Override
    public void onPush(Push push) {
        delivery.onPush(push);
    }

    @Override
    public void onNotice(Notice notice) {
        delivery.onNotice(notice);
        friends.onNotice(notice);
    }
}
