package io.magpie.server;

import io.magpie.client.GroupEvents;
import io.magpie.client.HistoryPage;
import io.magpie.client.MagpieClient;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.ReactAck;
import io.magpie.protocol.proto.ReplyRef;
import io.magpie.protocol.proto.SendAck;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs what the user typed into {@code magpie chat} ({@link ChatInput}) against the SDK, one line at a time on
 * the terminal's thread, and prints the outcome. Keeps where {@code /history} stopped, so that each call pages
 * further back. Not thread-safe: the input loop's thread only.
 */
final class ChatActions {

    private static final long WAIT_SECONDS = 15;
    /** An upload lasts as long as its bytes take: a 100 MiB video on a slow line is minutes. */
    private static final long UPLOAD_WAIT_SECONDS = 600;

    private final MagpieClient client;
    private final PrintStream out;
    private final long peer;
    private final String conversation;
    private final String device;
    private final GroupChatActions groups;
    /** {@code /history} shows messages below this seq next; 0 = from the newest; -1 = the beginning was shown. */
    private long historyBefore;

    ChatActions(MagpieClient client, PrintStream out, long peer, String conversation, String device) {
        this.client = client;
        this.out = out;
        this.peer = peer;
        this.conversation = conversation;
        this.device = device;
        this.groups = new GroupChatActions(client, out);
    }

    /** {@code /history} pages back from below {@code seq} (the oldest message already shown; 0 = the newest). */
    void historyBefore(long seq) {
        historyBefore = seq;
    }

    /**
     * How a message prints: {@code [#seq them] text}, {@code [#seq you] text} for yours from this
     * device (or one that did not say), {@code [#seq you on phone-1] text} for yours from another
     * device, or its recall or delete placeholder.
     */
    static String format(Message m, long peer, String myDevice) {
        if (m.getConversationType() == ConversationType.GROUP) {
            return "[" + m.getConversationId() + " #" + m.getSeq() + " uid " + m.getSenderUid() + "] " + mentions(m)
                    + quote(m) + GroupEvents.of(m).map(GroupEvents::describe).orElse(ChatContent.describe(m.getContent()))
                    + marks(m);
        }
        String from = m.getSenderDeviceId();
        String who = m.getSenderUid() == peer ? "them"
                : from.isEmpty() || from.equals(myDevice) ? "you" : "you on " + from;
        String text = switch (m.getStatus()) {
            case RECALLED -> "(message recalled)";
            case DELETED -> "(deleted for you)";
            default -> quote(m) + ChatContent.describe(m.getContent()) + marks(m);
        };
        return "[#" + m.getSeq() + " " + who + "] " + text;
    }

    /** {@code >> #3 "preview" } before a reply's text (docs/PROTOCOL.md §9.19). */
    private static String quote(Message m) {
        if (!m.getContent().hasReplyTo()) {
            return "";
        }
        ReplyRef r = m.getContent().getReplyTo();
        return ">> #" + r.getSeq() + (r.getRecalled() ? " (recalled)" : " \"" + r.getPreview() + "\"") + " ";
    }

    /** The mentions of a group message, highlighted: {@code @all}, {@code @uid 42} (§9.20). */
    private static String mentions(Message m) {
        StringBuilder b = new StringBuilder();
        if (m.getContent().getMentionAll()) {
            b.append("*@all* ");
        }
        for (long uid : m.getContent().getMentionedUidsList()) {
            b.append("*@uid ").append(uid).append("* ");
        }
        return b.toString();
    }

    /** {@code (edited)} and the reactions after a message's text (§9.21, §9.22). */
    static String marks(Message m) {
        StringBuilder b = new StringBuilder();
        if (m.getEditedAt() > 0) {
            b.append(" (edited)");
        }
        if (m.getReactionsCount() > 0) {
            b.append(" [");
            for (int i = 0; i < m.getReactionsCount(); i++) {
                b.append(i > 0 ? " " : "").append(m.getReactions(i).getEmoji()).append(m.getReactions(i).getCount());
            }
            b.append(']');
        }
        return b.toString();
    }

    void run(ChatInput input) throws InterruptedException {
        try {
            if (input instanceof ChatInput.Send send) {
                SendAck ack = wait(client.sendText(ConversationType.SINGLE, peer, send.text()));
                out.printf("  (sent #%d)%n", ack.getSeq());
            } else if (input instanceof ChatInput.SendFile file) {
                sendFile(file.file());
            } else if (input instanceof ChatInput.Read) {
                long version = wait(client.markAllRead(conversation));
                long readSeq = client.conversationState(conversation).map(s -> s.readSeq()).orElse(0L);
                out.println(version == 0 ? "  (nothing to mark read)" : "  (read up to #" + readSeq + ")");
            } else if (input instanceof ChatInput.Recall recall) {
                wait(client.recall(conversation, recall.seq()));
                out.printf("  (recalled #%d)%n", recall.seq());
            } else if (input instanceof ChatInput.Delete delete) {
                wait(client.deleteForMe(conversation, delete.seq()));
                out.printf("  (deleted #%d for you)%n", delete.seq());
            } else if (input instanceof ChatInput.Clear) {
                long cleared = wait(client.clearHistory(conversation, 0));
                out.println(cleared == 0 ? "  (nothing to clear)" : "  (history cleared up to #" + cleared + " for you)");
                historyBefore = 0;
            } else if (input instanceof ChatInput.Pin pin) {
                wait(client.pin(conversation, pin.pinned()));
                out.println(pin.pinned() ? "  (pinned)" : "  (unpinned)");
            } else if (input instanceof ChatInput.History history) {
                history(history.count());
            } else if (input instanceof ChatInput.Reply reply) {
                SendAck ack = wait(client.reply(ConversationType.SINGLE, peer, reply.seq(), reply.text()));
                out.printf("  (sent #%d, quoting #%d)%n", ack.getSeq(), reply.seq());
            } else if (input instanceof ChatInput.React react) {
                ReactAck ack = wait(client.react(conversation, react.seq(), react.emoji()));
                out.printf("  (#%d now%s)%n", react.seq(), ack.getReactionsCount() == 0 ? " has no reactions"
                        : marks(Message.newBuilder().addAllReactions(ack.getReactionsList()).build()));
            } else if (input instanceof ChatInput.Edit edit) {
                wait(client.edit(conversation, edit.seq(), MessageContent.newBuilder().setType(MessageType.TEXT)
                        .setText(edit.text()).build()));
                out.printf("  (edited #%d)%n", edit.seq());
            } else if (input instanceof ChatInput.GroupOp group) {
                groups.run(group.line());
            } else if (input instanceof ChatInput.Help) {
                out.println(ChatInput.HELP);
            } else if (input instanceof ChatInput.Invalid invalid) {
                out.println("  (" + invalid.problem() + ")");
            }
        } catch (ExecutionException e) {
            out.println("  (" + failed(input) + ": " + e.getCause().getMessage() + ")");
        } catch (TimeoutException e) {
            out.println("  (" + failed(input) + ": no answer within " + WAIT_SECONDS + " s; try again)");
        }
    }

    private void sendFile(java.nio.file.Path file) throws InterruptedException, ExecutionException, TimeoutException {
        java.nio.file.Path path = file.startsWith("~") ? java.nio.file.Path.of(System.getProperty("user.home"))
                .resolve(file.subpath(1, file.getNameCount()).toString()) : file;
        if (!java.nio.file.Files.isRegularFile(path)) {
            out.println("  (no file at " + path.toAbsolutePath() + "; /file takes the path of a file)");
            return;
        }
        SendAck ack = client.sendFile(ConversationType.SINGLE, peer, path).get(UPLOAD_WAIT_SECONDS, TimeUnit.SECONDS);
        out.printf("  (sent #%d: %s)%n", ack.getSeq(), path.getFileName());
    }

    private void history(int count) throws InterruptedException, ExecutionException, TimeoutException {
        if (historyBefore < 0) {
            out.println("  (no older messages)");
            return;
        }
        HistoryPage page = wait(client.history(conversation, historyBefore, count));
        if (page.messages().isEmpty()) {
            out.println("  (no older messages)");
            historyBefore = -1;
            return;
        }
        out.println("  -- history --");
        for (Message m : page.messages()) {
            out.println("  " + format(m, peer, device));
        }
        historyBefore = page.hasMore() && page.oldestSeq() > 1 ? page.oldestSeq() : -1;
        out.println(historyBefore < 0 ? "  -- the beginning of the conversation --"
                : "  -- /history for older messages --");
    }

    private static String failed(ChatInput input) {
        if (input instanceof ChatInput.Send || input instanceof ChatInput.SendFile) {
            return "not sent";
        }
        if (input instanceof ChatInput.Recall recall) {
            return "/recall #" + recall.seq() + " failed";
        }
        if (input instanceof ChatInput.Reply reply) {
            return "/reply to #" + reply.seq() + " not sent";
        }
        if (input instanceof ChatInput.React react) {
            return (react.emoji() == null ? "/unreact #" : "/react #") + react.seq() + " failed";
        }
        if (input instanceof ChatInput.Edit edit) {
            return "/edit #" + edit.seq() + " failed";
        }
        if (input instanceof ChatInput.Delete delete) {
            return "/delete #" + delete.seq() + " failed";
        }
        if (input instanceof ChatInput.Pin pin) {
            return (pin.pinned() ? "/pin" : "/unpin") + " failed";
        }
        return (input instanceof ChatInput.Read ? "/read" : input instanceof ChatInput.Clear ? "/clear" : "/history")
                + " failed";
    }

    private static <T> T wait(CompletableFuture<T> future)
            throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
