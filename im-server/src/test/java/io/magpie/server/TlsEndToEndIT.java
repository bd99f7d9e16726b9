package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.GateAddress;
import io.magpie.client.LsbClient;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieClient;
import io.magpie.client.Transport;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SendAck;
import io.magpie.server.config.ConfigTree;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 8 point 5 end to end: every role in this JVM with {@code tls.enabled} and the self-signed
 * certificate of {@code magpie standalone --tls}; SDK clients that trust only that certificate register
 * and log in over HTTPS, get a TLS gate from the LSB over HTTPS and chat over TLS on TCP and on WSS. A
 * plaintext client on the TLS ports is closed without an answer, and a client that does not trust the
 * certificate gets nowhere.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsEndToEndIT {

    private static final String PASSWORD = "correct horse battery";

    private MagpieNode node;
    private Path trustFile;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) throws IOException {
        Path dataDir = Files.createTempDirectory("magpie-tls-it");
        StandaloneCertificate cert = StandaloneCertificate.ensure(dataDir, Clock.systemUTC());
        trustFile = cert.certFile();
        ConfigTree tree = ConfigTree.of("""
                redis:
                  key-prefix: "%s"
                kafka:
                  topic-prefix: "%s"
                  partitions: 2
                auth:
                  token-secret: "tls-end-to-end-test-token-secret-32-bytes+"
                cluster:
                  secret: "tls-end-to-end-test-cluster-secret-32-bytes"
                tls:
                  enabled: true
                  cert-file: "%s"
                  key-file: "%s"
                gate:
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                lsb:
                  port: 0
                  poll-interval: 200ms
                logic:
                  http-port: 0
                  pbkdf2-iterations: 1000
                """.formatted(isolation.redisKeyPrefix(), isolation.topicPrefix(), cert.certFile(), cert.keyFile()),
                Map.of());
        node = TestNodes.allRoles(tree, infra, isolation);
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void usersChatOverTlsOnTcpAndOnWss() throws Exception {
        GateAddress gate = new LsbClient(config("probe", Transport.TCP)).pickGate();
        assertTrue(gate.tls(), "the LSB marks the gate tls");
        assertEquals("wss", gate.ws().getScheme(), "and hands out a wss:// URL: " + gate.ws());

        ListeningUser alice = user("alice_tls", "alice-phone", Transport.TCP);
        ListeningUser bob = user("bob_tls", "bob-web", Transport.WEBSOCKET);

        List<SendAck> acks = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            acks.add(alice.client().sendText(ConversationType.SINGLE, bob.uid(), "over tls " + i).get(20, SECONDS));
        }
        assertEquals(List.of(1L, 2L, 3L), acks.stream().map(SendAck::getSeq).toList());
        await().atMost(20, SECONDS).until(() -> bob.received().size() >= 3);
        assertEquals(List.of("over tls 1", "over tls 2", "over tls 3"),
                bob.received().stream().map(m -> m.getContent().getText()).toList());

        SendAck reply = bob.client().sendText(ConversationType.SINGLE, alice.uid(), "wss works").get(20, SECONDS);
        assertEquals(4, reply.getSeq());
        await().atMost(20, SECONDS).until(() -> alice.received().stream().anyMatch(m -> m.getSeq() == 4));
        assertEquals("wss works", alice.received().get(0).getContent().getText());
    }

    @Test
    void loginIsServedOverHttpsAndPlainHttpOnThatPortGetsNoToken() throws Exception {
        AccountClient accounts = new AccountClient(config("https-login", Transport.TCP));
        long uid = accounts.register("carol_tls", PASSWORD, "carol");
        Credentials carol = accounts.login("carol_tls", PASSWORD, "carol-laptop", Platform.DESKTOP);
        assertEquals(uid, carol.uid());
        assertFalse(carol.token().isBlank());

        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.accountApiPort()
                        + "/v1/sessions"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"carol_tls\",\"password\":\"" + PASSWORD
                        + "\",\"deviceId\":\"plain\",\"platform\":\"DESKTOP\"}"))
                .build();
        try {
            HttpResponse<String> response = plain.send(request, HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() >= 400 && !response.body().contains("token"),
                    "plaintext HTTP on the HTTPS port must not log in: " + response.statusCode() + " "
                            + response.body());
        } catch (IOException refused) {
            // the TLS connector closed the plaintext connection: nothing was served either
        }
    }

    @Test
    void aPlaintextClientOnTheTlsTcpPortIsClosedWithoutALoginAck() throws Exception {
        Credentials dave = registerAndLogin("dave_tls", "dave-raw");
        ByteBuf frame = Unpooled.buffer();
        FrameEncoder.writeTo(Frames.of(Command.LOGIN, 1, LoginRequest.newBuilder().setToken(dave.token())
                .setClientVersion("plaintext-probe").build()), frame);
        assertClosedWithoutAnAnswer(node.gate().tcpPort(), ByteBufUtil.getBytes(frame));
    }

    @Test
    void aPlaintextWebSocketUpgradeOnTheWssPortIsClosedWithoutAnAnswer() throws Exception {
        String upgrade = "GET " + node.gate().wsPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        assertClosedWithoutAnAnswer(node.gate().wsPort(), upgrade.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateCannotLogIn() {
        ClientConfig untrusting = config("untrusting", Transport.TCP).toBuilder().tls(null).build();
        MagpieApiException e = assertThrows(MagpieApiException.class,
                () -> new AccountClient(untrusting).login("carol_tls", PASSWORD, "x", Platform.DESKTOP));
        assertEquals("UNREACHABLE", e.code(), e.getMessage());
    }

    /** Sends {@code bytes} in plaintext; the server must close without a byte but a TLS alert record. */
    private static void assertClosedWithoutAnAnswer(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[1024];
            try {
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    answer.write(chunk, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // a reset is a close too
            }
            byte[] got = answer.toByteArray();
            assertTrue(got.length == 0 || got[0] == 0x15,
                    "only a TLS alert record (type 21) may come back, got " + got.length + " bytes starting "
                            + (got.length == 0 ? "" : Integer.toHexString(got[0] & 0xff)));
        }
    }

    private ClientConfig config(String device, Transport transport) {
        return ClientConfig.builder()
                .accountApiUrl("https://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("https://127.0.0.1:" + node.lsbPort())
                .trustFile(trustFile)
                .requireTls(true)
                .transport(transport)
                .deviceId(device)
                .autoReconnect(false)
                .build();
    }

    private Credentials registerAndLogin(String name, String device) {
        AccountClient accounts = new AccountClient(config(device, Transport.TCP));
        accounts.register(name, PASSWORD, name);
        return accounts.login(name, PASSWORD, device, Platform.ANDROID);
    }

    private ListeningUser user(String name, String device, Transport transport) throws Exception {
        Credentials credentials = registerAndLogin(name, device);
        return ListeningUser.connect(new MagpieClient(config(device, transport)), credentials, clients, 20);
    }

}
