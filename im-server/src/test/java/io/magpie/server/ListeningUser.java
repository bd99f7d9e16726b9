package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.client.MessageListener;
import io.magpie.protocol.proto.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A logged-in SDK client of an end-to-end test that keeps every message it is handed, in order. */
record ListeningUser(long uid, MagpieClient client, List<Message> received) {

    /**
     * Connects {@code client} with {@code credentials}, recording its messages; the client is added to
     * {@code clients} first so the test closes it even when the connect fails.
     */
    static ListeningUser connect(MagpieClient client, Credentials credentials, List<MagpieClient> clients,
            int timeoutSeconds) throws Exception {
        clients.add(client);
        ListeningUser user = new ListeningUser(credentials.uid(), client, new CopyOnWriteArrayList<>());
        client.addListener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                user.received.add(message);
            }
        });
        client.connect(credentials).get(timeoutSeconds, SECONDS);
        return user;
    }

    List<String> texts() {
        return received.stream().map(m -> m.getContent().getText()).toList();
    }
}
