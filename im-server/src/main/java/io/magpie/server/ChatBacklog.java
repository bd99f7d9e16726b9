package io.magpie.server;

import io.magpie.protocol.proto.Message;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code magpie chat} prints of the messages the SDK delivers right after connecting: a new
 * device catches up on the whole history, which would scroll past before the prompt. Until
 * {@link #goLive()} only the last {@code keep} messages are held; then those are printed after one
 * line counting the hidden ones ({@code /history} pages back from the oldest shown), and every later
 * message is printed as it comes. Thread-safe: the SDK's thread adds, the chat's thread goes live.
 */
final class ChatBacklog {

    private final int keep;
    private final PrintStream out;
    private final Function<Message, String> format;
    private final Deque<Message> held = new ArrayDeque<>(); // guarded by this
    private boolean live; // guarded by this
    private long hidden; // guarded by this
    private final Map<String, Long> highestSeq = new HashMap<>(); // guarded by this

    ChatBacklog(int keep, PrintStream out, Function<Message, String> format) {
        this.keep = keep;
        this.out = out;
        this.format = format;
    }

    synchronized void add(Message m) {
        if (live) {
            out.println(format.apply(m));
            return;
        }
        highestSeq.merge(m.getConversationId(), m.getSeq(), Math::max);
        held.addLast(m);
        if (held.size() > keep) {
            held.removeFirst();
            hidden++;
        }
    }

    /** The highest seq of {@code conversation} held so far (the catch-up is over once it reaches the newest). */
    synchronized long highestSeq(String conversation) {
        return highestSeq.getOrDefault(conversation, 0L);
    }

    /**
     * Prints the held messages and prints every later one at once.
     *
     * @return the oldest seq shown of {@code conversation}, 0 when none was (so {@code /history}
     *     starts from the newest)
     */
    synchronized long goLive(String conversation) {
        if (live) {
            return 0;
        }
        live = true;
        if (hidden > 0) {
            out.printf("  (%d earlier message%s not shown; /history pages back)%n", hidden, hidden == 1 ? "" : "s");
        }
        long oldest = 0;
        for (Message m : held) {
            out.println(format.apply(m));
            if (m.getConversationId().equals(conversation) && (oldest == 0 || m.getSeq() < oldest)) {
                oldest = m.getSeq();
            }
        }
        held.clear();
        return hidden > 0 ? oldest : 0;
    }
}
