package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MessageListener;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * The SDK users of an end-to-end test against one node's account API and LSB: registers, logs in and connects
 * them with a listener that keeps what they are handed, and closes every client it made.
 */
final class SdkUsers implements AutoCloseable {

    static final String PASSWORD = "correct horse battery";

    private final int accountApiPort;
    private final int lsbPort;
    private final int rateLimitRetries;
    private final List<MagpieClient> clients = new CopyOnWriteArrayList<>();

    /**
     * @param rateLimitRetries the SDK's own resends of a RATE_LIMITED request (0: the test sees every refusal), or
     *                         -1 for the SDK's default
     */
    SdkUsers(int accountApiPort, int lsbPort, int rateLimitRetries) {
        this.accountApiPort = accountApiPort;
        this.lsbPort = lsbPort;
        this.rateLimitRetries = rateLimitRetries;
    }

    /** Users of {@code node}'s account API and LSB, whose SDK resends nothing a limit refused. */
    static SdkUsers of(MagpieNode node) {
        return new SdkUsers(node.accountApiPort(), node.lsbPort(), 0);
    }

    ClientConfig config(String device) {
        ClientConfig.Builder b = ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + accountApiPort)
                .lsbUrl("http://127.0.0.1:" + lsbPort)
                .deviceId(device)
                .platform(Platform.DESKTOP)
                .requestTimeout(Duration.ofSeconds(20));
        if (rateLimitRetries >= 0) {
            b.rateLimitRetries(rateLimitRetries);
        }
        return b.build();
    }

    AccountClient accounts(String device) {
        return new AccountClient(config(device));
    }

    /** Registers {@code name} and connects its first device {@code device}. */
    SdkUser register(String name, String device) throws Exception {
        return register(name, device, null);
    }

    /** Registers {@code name} and connects {@code device} with a token of app {@code appId} (null: the default). */
    SdkUser register(String name, String device, String appId) throws Exception {
        accounts(device).register(name, PASSWORD, name);
        return connect(name, device, appId);
    }

    /** Logs {@code device} of the registered {@code name} in and connects it. */
    SdkUser connect(String name, String device, String appId) throws Exception {
        Credentials credentials = appId == null
                ? accounts(device).login(name, PASSWORD, device, Platform.ANDROID)
                : accounts(device).login(name, PASSWORD, device, Platform.ANDROID, appId);
        MagpieClient client = client(device);
        SdkUser user = new SdkUser(name, credentials.uid(), credentials, client, new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>());
        client.addListener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                user.received().add(message);
            }

            @Override
            public void onChanged(Message message) {
                user.changed().add(message);
            }
        });
        client.connect(credentials).get(20, SECONDS);
        return user;
    }

    /** A new, unconnected client of {@code device}, closed with the others. */
    MagpieClient client(String device) {
        MagpieClient client = new MagpieClient(config(device));
        clients.add(client);
        return client;
    }

    /** The error a request failed with, after asserting that it failed with one from the server. */
    static MagpieErrorException refusal(CompletableFuture<?> request) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> request.get(20, SECONDS));
        return assertInstanceOf(MagpieErrorException.class, e.getCause());
    }

    @Override
    public void close() {
        List<MagpieClient> open = new ArrayList<>(clients);
        clients.clear();
        open.forEach(MagpieClient::close);
    }

    /** One connected device of a test user, with the messages and changes it was handed, in order. */
    record SdkUser(String name, long uid, Credentials credentials, MagpieClient client, List<Message> received,
            List<Message> changed) {

        Message awaitMessage(String conv, long seq) {
            return first(received, m -> m.getConversationId().equals(conv) && m.getSeq() == seq);
        }

        Message awaitChange(String conv, long seq, long version) {
            return first(changed, m -> m.getConversationId().equals(conv) && m.getSeq() == seq
                    && m.getVersion() == version);
        }

        private static Message first(List<Message> messages, Predicate<Message> wanted) {
            await().atMost(20, SECONDS).until(() -> messages.stream().anyMatch(wanted));
            return messages.stream().filter(wanted).findFirst().orElseThrow();
        }
    }
}
