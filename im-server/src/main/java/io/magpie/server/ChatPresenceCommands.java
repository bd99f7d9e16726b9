package io.magpie.server;

import io.magpie.client.AccountClient;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieClient;
import io.magpie.client.PresenceSetting;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PresenceState;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The presence and typing commands of {@code magpie chat} (docs/PROTOCOL.md §9.14, §9.15): {@code /who},
 * {@code /status}, {@code /invisible}, {@code /typing}; and what it prints when the peer's presence changes or the
 * peer types. A terminal sends whole lines, so typing is announced by {@code /typing} rather than per key.
 * The input loop's thread runs the commands; the listeners run on the client's event loop and only print.
 */
final class ChatPresenceCommands {

    /** The help text of these commands. */
    static final String HELP = """
            /who [user...] who is online (default: the person you chat with), platforms, last seen, status
            /status [text] set your status text (none: clear it)
            /invisible on|off  hide your presence (you read as offline) or show it again
            /typing        tell the person you chat with that you are typing""";

    private static final long WAIT_SECONDS = 15;

    private final MagpieClient client;
    private final AccountClient accounts;
    private final Credentials me;
    private final PrintStream out;
    private final long peer;
    private final String peerName;
    private final String conversation;

    ChatPresenceCommands(MagpieClient client, AccountClient accounts, Credentials me, PrintStream out, long peer,
            String peerName, String conversation) {
        this.client = client;
        this.accounts = accounts;
        this.me = me;
        this.out = out;
        this.peer = peer;
        this.peerName = peerName;
        this.conversation = conversation;
    }

    /** Prints the peer's presence changes and typing; watches the peer (friends or not). Before connect. */
    void listen() {
        client.presence().addListener(state -> {
            if (state.getUid() == peer) {
                out.println("  (" + describe(peerName, state) + ")");
            }
        });
        client.typing().addListener((conversationId, uid) -> {
            if (conversation.equals(conversationId) && uid == peer) {
                out.println("  (" + peerName + " is typing...)");
            }
        });
    }

    /** After connect: the peer goes on the watch list (set again by the SDK at every login). */
    void watchPeer() {
        client.presence().watch(List.of(peer)).whenComplete((n, error) -> {
            if (error != null) {
                out.println("  (could not watch " + peerName + "'s presence: " + error.getMessage() + ")");
            }
        });
    }

    /** Runs {@code line} if it is one of these commands; false otherwise. */
    boolean handle(String line) throws InterruptedException {
        String[] words = line.strip().split("\\s+", 2);
        String rest = words.length > 1 ? words[1].strip() : "";
        try {
            switch (words[0]) {
                case "/who" -> who(rest);
                case "/status" -> {
                    PresenceSetting s = client.presence().setStatusText(rest).get(WAIT_SECONDS, TimeUnit.SECONDS);
                    out.println(s.statusText().isEmpty() ? "  (status cleared)" : "  (status: " + s.statusText() + ")");
                }
                case "/invisible" -> {
                    if (!rest.equals("on") && !rest.equals("off")) {
                        out.println("  (usage: /invisible on|off)");
                        return true;
                    }
                    PresenceSetting s = client.presence().setHidden(rest.equals("on")).get(WAIT_SECONDS,
                            TimeUnit.SECONDS);
                    out.println(s.hidden() ? "  (invisible: everyone sees you offline)" : "  (visible again)");
                }
                case "/typing" -> {
                    client.typing().send(conversation).get(WAIT_SECONDS, TimeUnit.SECONDS);
                    out.println("  (" + peerName + " sees that you are typing)");
                }
                default -> {
                    return false;
                }
            }
        } catch (ExecutionException e) {
            out.println("  (" + words[0] + " failed: " + e.getCause().getMessage() + ")");
        } catch (TimeoutException e) {
            out.println("  (" + words[0] + " failed: no answer within " + WAIT_SECONDS + " s; try again)");
        } catch (MagpieApiException e) {
            out.println("  (" + words[0] + " failed: " + e.getMessage() + ")");
        }
        return true;
    }

    private void who(String names) throws InterruptedException, ExecutionException, TimeoutException {
        Map<Long, String> users = new LinkedHashMap<>();
        if (names.isEmpty()) {
            users.put(peer, peerName);
        } else {
            for (String name : names.split("\\s+")) {
                try {
                    users.put(accounts.findByUsername(me, name).uid(), name);
                } catch (MagpieApiException e) {
                    if (e.status() != 404) {
                        throw e;
                    }
                    out.println("  (" + name + ": no such user)");
                }
            }
        }
        if (users.isEmpty()) {
            return;
        }
        List<PresenceState> states = client.presence().query(new ArrayList<>(users.keySet()))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (PresenceState s : states) {
            out.println("  " + describe(users.get(s.getUid()), s));
        }
    }

    /** {@code bob is online on ANDROID, WEB (2 devices) - "on the train"}, or offline with last seen. */
    static String describe(String name, PresenceState s) {
        String status = s.getStatusText().isEmpty() ? "" : " - \"" + s.getStatusText() + "\"";
        if (s.getOnline()) {
            String platforms = s.getPlatformsList().stream().map(Platform::name).collect(Collectors.joining(", "));
            return name + " is online on " + platforms + " (" + s.getDeviceCount() + " device"
                    + (s.getDeviceCount() == 1 ? "" : "s") + ")" + status;
        }
        return name + " is offline" + (s.getLastSeen() > 0 ? ", last seen " + Instant.ofEpochMilli(s.getLastSeen())
                : "") + status;
    }
}
