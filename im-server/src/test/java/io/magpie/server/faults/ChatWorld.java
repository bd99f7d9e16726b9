package io.magpie.server.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.DeliveryStats;
import io.magpie.client.MagpieClient;
import io.magpie.client.MessageListener;
import io.magpie.client.Transport;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The users, devices and conversations of one scenario: fresh accounts (so scenarios sharing a
 * cluster never share a conversation), each device a {@link MagpieClient} of the SDK logged in
 * through the LSB, every pair of users in a 1:1 conversation, and one small group when the logic
 * serves {@code POST /v1/groups}.
 *
 * <p>Each device records what the SDK delivered to it, in delivery order. Thread-safe for reads;
 * built and closed by the test thread.
 */
final class ChatWorld implements AutoCloseable {

    static final String PASSWORD = "cluster-fault-password";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A registered user. */
    record Account(String username, long uid, int index) {
    }

    /** A conversation and its members (uids). */
    record Conversation(String id, ConversationType type, long groupId, List<Long> members) {

        /** The SendRequest target of {@code sender}: the peer (1:1) or the group id. */
        long targetFor(long sender) {
            return type == ConversationType.GROUP ? groupId : ConversationIds.peerOf(id, sender);
        }
    }

    /** One logged-in device of a user. */
    static final class Device {
        private final Account user;
        private final String deviceId;
        private final MagpieClient client;
        private final List<Message> delivered = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger connectionLosses = new AtomicInteger();
        private volatile String firstGate;

        Device(Account user, String deviceId, MagpieClient client) {
            this.user = user;
            this.deviceId = deviceId;
            this.client = client;
            client.addListener(new MessageListener() {
                @Override
                public void onMessage(Message message) {
                    delivered.add(message);
                }

                @Override
                public void onConnectionStateChanged(ConnectionState state) {
                    if (state == ConnectionState.RECONNECTING) {
                        connectionLosses.incrementAndGet();
                    }
                }
            });
        }

        Account user() {
            return user;
        }

        String deviceId() {
            return deviceId;
        }

        MagpieClient client() {
            return client;
        }

        /** The gate of the first login (from LOGIN_ACK). */
        String firstGate() {
            return firstGate;
        }

        /** A copy of what the SDK delivered so far, in order. */
        List<Message> delivered() {
            synchronized (delivered) {
                return List.copyOf(delivered);
            }
        }

        int connectionLosses() {
            return connectionLosses.get();
        }

        DeliveryStats stats() {
            return client.deliveryStats();
        }

        @Override
        public String toString() {
            return deviceId + "(uid " + user.uid + ")";
        }
    }

    private final List<Account> users;
    private final List<Device> devices;
    private final List<Conversation> conversations;
    private final boolean groupApi;

    private ChatWorld(List<Account> users, List<Device> devices, List<Conversation> conversations, boolean groupApi) {
        this.users = users;
        this.devices = devices;
        this.conversations = conversations;
        this.groupApi = groupApi;
    }

    /**
     * Registers {@code devicesPerUser.length} users named {@code <tag>_u<i>_<random>}, logs in and
     * connects their devices (alternating TCP and WebSocket), and forms the conversations. The group
     * has the first three users (owner: the first) when the logic serves the group API.
     */
    static ChatWorld create(ClusterHarness cluster, EventLoopGroup group, String tag, int[] devicesPerUser)
            throws Exception {
        String run = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        String api = cluster.accountApiUrl();
        AccountClient accounts = new AccountClient(base(api, cluster.lsbUrl(), "registrar", group).build());
        List<Account> users = new ArrayList<>();
        for (int i = 0; i < devicesPerUser.length; i++) {
            String name = tag + "_u" + i + "_" + run;
            long uid = accounts.register(name, PASSWORD, name);
            users.add(new Account(name, uid, i));
        }
        List<Conversation> conversations = new ArrayList<>();
        for (int a = 0; a < users.size(); a++) {
            for (int b = a + 1; b < users.size(); b++) {
                long ua = users.get(a).uid();
                long ub = users.get(b).uid();
                conversations.add(new Conversation(ConversationIds.single(ua, ub), ConversationType.SINGLE, 0,
                        List.of(ua, ub)));
            }
        }
        List<Device> devices = new ArrayList<>();
        int transport = 0;
        for (Account user : users) {
            for (int d = 0; d < devicesPerUser[user.index()]; d++) {
                String deviceId = user.username() + "-d" + d;
                Platform platform = d == 0 ? Platform.ANDROID : Platform.DESKTOP;
                ClientConfig config = base(api, cluster.lsbUrl(), deviceId, group)
                        .transport(transport++ % 2 == 0 ? Transport.TCP : Transport.WEBSOCKET)
                        .platform(platform)
                        .build();
                Credentials credentials = new AccountClient(config).login(user.username(), PASSWORD, deviceId, platform);
                Device device = new Device(user, deviceId, new MagpieClient(config));
                devices.add(device);
                LoginAck ack = device.client().connect(credentials).get(30, TimeUnit.SECONDS);
                device.firstGate = ack.getGateId();
            }
        }
        boolean groupApi = false;
        if (users.size() >= 3) {
            Account owner = users.get(0);
            Credentials ownerLogin = accounts.login(owner.username(), PASSWORD, owner.username() + "-api",
                    Platform.WEB);
            List<Long> members = List.of(users.get(0).uid(), users.get(1).uid(), users.get(2).uid());
            Optional<Long> groupId = createGroup(api, ownerLogin.token(), tag + " group", members.subList(1, 3));
            if (groupId.isPresent()) {
                groupApi = true;
                conversations.add(new Conversation(ConversationIds.group(groupId.get()), ConversationType.GROUP,
                        groupId.get(), members));
            }
        }
        return new ChatWorld(List.copyOf(users), List.copyOf(devices), List.copyOf(conversations), groupApi);
    }

    private static ClientConfig.Builder base(String api, String lsb, String deviceId, EventLoopGroup group) {
        return ClientConfig.builder()
                .accountApiUrl(api)
                .lsbUrl(lsb)
                .deviceId(deviceId)
                .requestTimeout(REQUEST_TIMEOUT)
                .reconnectBackoffBase(Duration.ofMillis(100))
                .reconnectBackoffMax(Duration.ofSeconds(2))
                .eventLoopGroup(group);
    }

    /**
     * {@code POST /v1/groups}; empty when this logic does not serve it (404 from the router of the
     * account API: the group API is being built in parallel with these tests).
     */
    private static Optional<Long> createGroup(String api, String token, String name, List<Long> members)
            throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("name", name, "members", members));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api
                        + "/v1/groups"))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 201) {
            throw new AssertionError("POST /v1/groups answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode created = JSON.readTree(response.body());
        return Optional.of(created.get("groupId").asLong());
    }

    List<Account> users() {
        return users;
    }

    List<Device> devices() {
        return devices;
    }

    List<Conversation> conversations() {
        return conversations;
    }

    /** Whether the group conversation is part of this world (the logic serves the group API). */
    boolean hasGroup() {
        return groupApi;
    }

    List<Conversation> conversationsOf(long uid) {
        return conversations.stream().filter(c -> c.members().contains(uid)).toList();
    }

    Account user(int index) {
        return users.get(index);
    }

    @Override
    public void close() {
        devices.forEach(d -> d.client().close());
    }
}
