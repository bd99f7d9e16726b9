package io.magpie.server;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieException;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.client.Transport;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code magpie chat}: a terminal chat client on the Java SDK. Registers the user when it does not
 * exist yet, logs in, connects through the LSB and sends every line typed to the peer; lines starting
 * with {@code /} are commands ({@link ChatInput}, run by {@link ChatActions}). Prints the unread count
 * when it changes, the peer's read receipts, and recalls, deletions and clears made elsewhere.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat from a terminal: every line you type goes to --to; messages to you are printed,"
                + " with the unread count and read receipts (\"read by <peer> up to #N\").",
        footer = {"", "Commands inside the chat:", ChatInput.HELP, ChatPresenceCommands.HELP})
final class ChatCommand implements Callable<Integer> {

    static final String PASSWORD_ENV = "MAGPIE_PASSWORD";
    /** Messages shown of the catch-up on connect; /history pages back for more. */
    static final int BACKLOG_SHOWN = 10;
    /** The exit status after the server ended the session (KICK). */
    static final int KICKED_EXIT = 3;

    @Option(names = {"-u", "--user"}, required = true, description = "your user name (registered on first use)")
    String user;

    @Option(names = {"-p", "--password"},
            description = "your password (8-128 characters); without it, $" + PASSWORD_ENV + ", else asked for"
                    + " without echo (a password on the command line shows in ps and the shell history)")
    String password;

    @Option(names = {"-t", "--to"}, required = true, description = "the user name of the person you chat with")
    String to;

    @Option(names = "--ws", description = "connect over WebSocket instead of TCP")
    boolean webSocket;

    @Option(names = "--device", description = "device id (default: ${DEFAULT-VALUE})", defaultValue = "terminal-1")
    String device;

    @Option(names = "--api", description = "account API URL (default: http://127.0.0.1:8081, https:// with --tls)")
    String api;

    @Option(names = "--lsb", description = "LSB URL (default: http://127.0.0.1:8080, https:// with --tls)")
    String lsb;

    @Option(names = "--tls", description = "require TLS: https:// for the account API and the LSB, TLS (or wss://)"
            + " to the gate; nothing is sent in plaintext")
    boolean tls;

    @Option(names = "--trust", paramLabel = "PEM",
            description = "trust only the certificates in this PEM file (e.g. the cert.pem that"
                    + " 'magpie standalone --tls' prints) instead of the JDK's trust store")
    Path trust;

    @Override
    public Integer call() throws Exception {
        // the SDK's connection log lines would interleave with the conversation
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.magpie"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        try {
            return chat(System.out);
        } catch (MagpieApiException e) {
            System.err.println("magpie chat: " + e.getMessage() + " (HTTP " + e.status() + " " + e.code() + ")");
            return 1;
        } catch (IllegalArgumentException e) {
            // a bad option value (URL, trust file): say which, without a stack trace
            System.err.println("magpie chat: " + e.getMessage());
            return 2;
        }
    }

    private int chat(PrintStream out) throws Exception {
        String scheme = tls ? "https" : "http";
        ClientConfig config = ClientConfig.builder()
                .accountApiUrl(api != null ? api : scheme + "://127.0.0.1:8081")
                .lsbUrl(lsb != null ? lsb : scheme + "://127.0.0.1:8080")
                .trustFile(trust)
                .requireTls(tls)
                .transport(webSocket ? Transport.WEBSOCKET : Transport.TCP)
                .deviceId(device)
                .platform(Platform.DESKTOP)
                .clientVersion("magpie-chat")
                .build();
        String password = password(this.password, System.getenv(), System.console() == null ? null
                : () -> System.console().readPassword("password for %s: ", user));
        if (password == null) {
            System.err.println("magpie chat: no password: give --password, set " + PASSWORD_ENV
                    + ", or run in a terminal to be asked");
            return 2;
        }
        AccountClient accounts = new AccountClient(config);
        registerIfNew(accounts, password, out);
        Credentials me = accounts.login(user, password, device, Platform.DESKTOP);
        long peer = awaitPeer(accounts, me, out);
        String conversation = "s_" + Math.min(me.uid(), peer) + "_" + Math.max(me.uid(), peer);
        try (MagpieClient client = new MagpieClient(config)) {
            ChatBacklog backlog = new ChatBacklog(BACKLOG_SHOWN, out, m -> ChatActions.format(m, peer, device));
            client.addListener(new Printer(out, peer, to, conversation, backlog, () -> {
                out.flush();
                new Thread(() -> System.exit(KICKED_EXIT), "chat-exit").start();
            }, user, device));
            ChatPresenceCommands presence = new ChatPresenceCommands(client, accounts, me, out, peer, to, conversation);
            presence.listen();
            client.connect(me).get(15, TimeUnit.SECONDS);
            presence.watchPeer();
            out.printf("connected as %s (uid %d) over %s; chatting with %s (uid %d). Type a line and Enter; /help lists"
                    + " commands; Ctrl-D quits.%n", user, me.uid(), (webSocket ? "WebSocket" : "TCP")
                    + (tls ? " with TLS" : ""), to, peer);
            ChatActions actions = new ChatActions(client, out, peer, conversation, device);
            awaitCatchUp(client, backlog, conversation);
            actions.historyBefore(backlog.goLive(conversation));
            FriendChatActions friendActions = new FriendChatActions(client, accounts, out);
            client.friends().addListener(friendActions.printer());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (!friendActions.run(line) && !presence.handle(line)) {
                    actions.run(ChatInput.parse(line));
                }
            }
        }
        return 0;
    }

    /**
     * The password: {@code --password}, else {@code $MAGPIE_PASSWORD}, else asked for on the terminal
     * ({@code prompt}, null without one); null when none of them gave one.
     */
    static String password(String option, Map<String, String> env, Supplier<char[]> prompt) {
        if (option != null) {
            return option;
        }
        String fromEnv = env.get(PASSWORD_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        char[] typed = prompt == null ? null : prompt.get();
        return typed == null || typed.length == 0 ? null : new String(typed);
    }

    /**
     * Waits (at most 5 s) until the SDK's catch-up after login delivered the newest message of the
     * conversation, as a SYNC reports it; below the cleared seq nothing comes.
     */
    private static void awaitCatchUp(MagpieClient client, ChatBacklog backlog, String conversation)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            client.syncNow().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return; // no catch-up to wait for: show what came, the rest arrives live
        }
        long newest = client.conversationState(conversation)
                .map(s -> s.lastSeq() > s.clearedSeq() ? s.lastSeq() : 0L).orElse(0L);
        while (backlog.highestSeq(conversation) < newest && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** One plain sentence for a KICK: why this chat ended and what to do about it. */
    static String kickSentence(Kick kick, String user, String device) {
        return switch (kick.getReason()) {
            case DUPLICATE_DEVICE -> user + " signed in again as device \"" + device + "\" somewhere else, so this"
                    + " chat was closed (give each terminal its own --device to chat from both).";
            case TOKEN_REVOKED -> "You were signed out (the session was revoked), so this chat was closed.";
            case ADMIN -> "An operator ended your session, so this chat was closed.";
            default -> "The server ended your session" + (kick.getMessage().isBlank() ? "" : " (" + kick.getMessage()
                    + ")") + ", so this chat was closed.";
        };
    }

    /** The peer's uid; waits for the peer to register so two terminals can start in any order. */
    private long awaitPeer(AccountClient accounts, Credentials me, PrintStream out) throws InterruptedException {
        boolean told = false;
        while (true) {
            try {
                return accounts.findByUsername(me, to).uid();
            } catch (MagpieApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
                if (!told) {
                    out.printf("%s has no account yet; waiting for them to start a chat (Ctrl-C to give up)...%n", to);
                    told = true;
                }
                Thread.sleep(1000);
            }
        }
    }

    private void registerIfNew(AccountClient accounts, String password, PrintStream out) {
        try {
            long uid = accounts.register(user, password, user);
            out.printf("registered %s as uid %d%n", user, uid);
        } catch (MagpieApiException e) {
            if (e.status() != 409) {
                throw e;
            }
        }
    }

    /** Prints what arrives for the one conversation of this chat. */
    private record Printer(PrintStream out, long peer, String peerName, String conversation, ChatBacklog backlog,
            Runnable exit, String user, String device) implements MessageListener {
        @Override
        public void onMessage(Message m) {
            backlog.add(m);
        }

        @Override
        public void onUnreadChanged(String conversationId, long unreadCount, long totalUnread) {
            if (conversation.equals(conversationId)) {
                out.printf("  (%d unread)%n", unreadCount);
            }
        }

        @Override
        public void onRead(String conversationId, long readSeq) {
            if (conversation.equals(conversationId)) {
                out.printf("  (read up to #%d on another device)%n", readSeq);
            }
        }

        @Override
        public void onPeerRead(String conversationId, long peerUid, long readSeq) {
            if (conversation.equals(conversationId)) {
                out.printf("  (read by %s up to #%d)%n", peerName, readSeq);
            }
        }

        @Override
        public void onRecalled(RecalledMessage recalled) {
            if (conversation.equals(recalled.conversationId())) {
                out.printf("[#%d] (message recalled%s)%n", recalled.seq(),
                        recalled.recalledBy() == peer ? " by " + peerName : "");
            }
        }

        @Override
        public void onChanged(Message message) {
            if (conversation.equals(message.getConversationId())) {
                out.println(ChatActions.format(message, peer, device) + "  (changed)");
            }
        }

        @Override
        public void onDeleted(String conversationId, List<Long> seqs) {
            if (conversation.equals(conversationId)) {
                out.println("  (deleted " + seqs.stream().map(seq -> "#" + seq).collect(Collectors.joining(", "))
                        + " on another device)");
            }
        }

        @Override
        public void onCleared(String conversationId, long clearedSeq) {
            if (conversation.equals(conversationId)) {
                out.printf("  (history cleared up to #%d on another device)%n", clearedSeq);
            }
        }

        @Override
        public void onKicked(Kick kick) {
            out.println(kickSentence(kick, user, device));
            exit.run();
        }

        @Override
        public void onConnectionStateChanged(ConnectionState state) {
            if (state != ConnectionState.CONNECTED && state != ConnectionState.KICKED) {
                out.println("(" + state.name().toLowerCase() + ")");
            }
        }

        @Override
        public void onError(MagpieException error) {
            out.println("(error: " + error.getMessage() + ")");
        }
    }
}
