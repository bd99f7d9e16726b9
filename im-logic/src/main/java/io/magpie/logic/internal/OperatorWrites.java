package io.magpie.logic.internal;

import io.magpie.das.AccountRepository;
import io.magpie.das.GroupRepository;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.SenderClientKey;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.AdminCommand;
import io.magpie.protocol.proto.AdminDeleteMessage;
import io.magpie.protocol.proto.AdminDismissGroup;
import io.magpie.protocol.proto.AdminSystemMessage;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SystemNotice;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The operator's writes into conversations (admin API): delete a message for everyone, a SYSTEM message to a user
 * or a group, dismiss a group. Each is checked here against MySQL (404s, what can never be done), then published
 * as an ADMIN_OP on {@code upstream} keyed by its conversation, so the writer that owns the conversation applies
 * it ({@link AdminOpProcessor}); its seqs and cached state never clash with a write from an HTTP thread. The call
 * then watches MySQL for the outcome for up to {@link #APPLY_WAIT}: applied = 200/201 with where it was stored,
 * not yet = 202 (it is on the bus and will be applied). Thread-safe; blocking: runs on the HTTP server's threads.
 */
public final class OperatorWrites {

    /** Longest a call waits to see its write applied before answering 202. */
    public static final Duration APPLY_WAIT = Duration.ofSeconds(10);
    static final int TITLE_MAX_CHARS = 128;
    static final int TEXT_MAX_CHARS = 4000;
    private static final long POLL_MS = 50;
    private static final long PUBLISH_WAIT_MS = 10_000;

    /**
     * Where a write went. {@code applied} false: published, not seen in MySQL within {@link #APPLY_WAIT};
     * {@code seq}, {@code msgId} and {@code version} are then 0.
     */
    public record Outcome(String conversationId, String opId, boolean applied, long seq, long msgId, long version) {
    }

    private final AccountRepository accounts;
    private final GroupRepository groups;
    private final MessageRepository messages;
    private final Producer<String, byte[]> producer;
    private final String upstreamTopic;
    private final Clock clock;

    /** @param producer publishes to {@code upstreamTopic}; null = the writes answer 503 (no Kafka) */
    public OperatorWrites(AccountRepository accounts, GroupRepository groups, MessageRepository messages,
            Producer<String, byte[]> producer, String upstreamTopic, Clock clock) {
        this.accounts = accounts;
        this.groups = groups;
        this.messages = messages;
        this.producer = producer;
        this.upstreamTopic = upstreamTopic;
        this.clock = clock;
    }

    /** Deletes the message at {@code seq} of {@code conversationId} for everyone (a recall by the operator). */
    public Outcome deleteMessage(String conversationId, long seq) throws ApiException {
        if (ConversationRef.parse(conversationId).isEmpty()) {
            throw ApiException.badRequest("conversationId '" + JsonBodies.abbreviate(conversationId)
                    + "' is not s_<uid>_<uid> or g_<group id>");
        }
        MessageRecord message = find(conversationId, seq).orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                "there is no message at seq " + seq + " in " + conversationId));
        if (message.msgType() == MessageType.SYSTEM_VALUE && GroupOpProcessor.recordsGroupChange(message)) {
            throw new ApiException(403, "FORBIDDEN", "the message at seq " + seq + " of " + conversationId
                    + " records a change of the group; the group's history of changes is never rewritten");
        }
        if (message.status() == MessageRecord.STATUS_RECALLED) {
            return new Outcome(conversationId, "", true, seq, message.msgId(), message.version());
        }
        String opId = opId();
        publish(conversationId, AdminCommand.newBuilder().setOpId(opId).setDeleteMessage(
                AdminDeleteMessage.newBuilder().setConversationId(conversationId).setSeq(seq)).build());
        return await(conversationId, opId, () -> find(conversationId, seq)
                .filter(m -> m.status() == MessageRecord.STATUS_RECALLED));
    }

    /** A SYSTEM message to {@code toUid} in its one-to-one conversation with {@code fromUid}. */
    public Outcome messageUser(long fromUid, long toUid, String title, String text) throws ApiException {
        if (fromUid == toUid) {
            throw ApiException.badRequest("fromUid must be another account than the recipient " + toUid
                    + " (the notice is shown in their conversation with it)");
        }
        requireAccount(toUid, "uid");
        requireAccount(fromUid, "fromUid");
        SystemNotice notice = notice(title, text);
        String conversationId = ConversationIds.single(fromUid, toUid);
        String opId = opId();
        publish(conversationId, AdminCommand.newBuilder().setOpId(opId).setSystemMessage(AdminSystemMessage
                .newBuilder().setFromUid(fromUid).setToUid(toUid).setNotice(notice)).build());
        return await(conversationId, opId, () -> stored(fromUid, opId));
    }

    /** A SYSTEM message to every member of {@code groupId}, sent by uid 0 (the operator). */
    public Outcome messageGroup(long groupId, String title, String text) throws ApiException {
        SystemNotice notice = notice(title, text);
        requireLiveGroup(groupId);
        String conversationId = ConversationIds.group(groupId);
        String opId = opId();
        publish(conversationId, AdminCommand.newBuilder().setOpId(opId).setSystemMessage(AdminSystemMessage
                .newBuilder().setGroupId(groupId).setNotice(notice)).build());
        return await(conversationId, opId, () -> stored(0, opId));
    }

    /** Dismisses {@code groupId}: a GROUP_DISMISSED SYSTEM message with operator_uid 0 to every member. */
    public Outcome dismissGroup(long groupId) throws ApiException {
        requireLiveGroup(groupId);
        String conversationId = ConversationIds.group(groupId);
        String opId = opId();
        publish(conversationId, AdminCommand.newBuilder().setOpId(opId).setDismissGroup(
                AdminDismissGroup.newBuilder().setGroupId(groupId)).build());
        return await(conversationId, opId, () -> stored(0, opId));
    }

    /** The operator's notice, validated: what a client shows (docs/PROTOCOL.md 9.18). */
    static SystemNotice notice(String title, String text) throws ApiException {
        String t = title == null ? "" : title.strip();
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest("text is required: 1-" + TEXT_MAX_CHARS + " characters");
        }
        if (text.length() > TEXT_MAX_CHARS) {
            throw ApiException.badRequest("text has " + text.length() + " characters; at most " + TEXT_MAX_CHARS);
        }
        if (t.length() > TITLE_MAX_CHARS) {
            throw ApiException.badRequest("title has " + t.length() + " characters; at most " + TITLE_MAX_CHARS);
        }
        return SystemNotice.newBuilder().setTitle(t).setText(text).build();
    }

    private void requireAccount(long uid, String name) throws ApiException {
        if (accounts.findById(uid).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "no account with uid " + uid + " (" + name + ")");
        }
    }

    private void requireLiveGroup(long groupId) throws ApiException {
        Optional<GroupRoster> roster = groups.roster(groupId);
        if (roster.isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "group " + groupId + " does not exist");
        }
        if (roster.get().group().dismissed()) {
            throw new ApiException(404, "NOT_FOUND", "group " + groupId + " was dismissed");
        }
    }

    private Optional<MessageRecord> find(String conversationId, long seq) {
        List<MessageRecord> found = messages.findRange(conversationId, seq, seq, 1);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private Optional<MessageRecord> stored(long senderUid, String opId) {
        SenderClientKey key = new SenderClientKey(senderUid, opId);
        return Optional.ofNullable(messages.findByClientMsgIds(Set.of(key)).get(key));
    }

    private static String opId() {
        return "admin-" + UUID.randomUUID();
    }

    private void publish(String conversationId, AdminCommand command) throws ApiException {
        if (producer == null) {
            throw new ApiException(503, "SERVER_BUSY", "this logic role runs without Kafka; the conversation's"
                    + " writer cannot be reached; ask a logic role of the cluster");
        }
        UpstreamEnvelope env = UpstreamEnvelope.newBuilder().setGateId(GroupCommand.ADMIN_SOURCE).setUid(0)
                .setCommand(Command.ADMIN_OP.code()).setBody(command.toByteString())
                .setConversationId(conversationId).setReceivedAt(clock.millis()).build();
        try {
            producer.send(new ProducerRecord<>(upstreamTopic, conversationId, env.toByteArray()))
                    .get(PUBLISH_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unpublished(e);
        } catch (ExecutionException | TimeoutException e) {
            throw unpublished(e);
        }
    }

    private static ApiException unpublished(Exception e) {
        ApiException busy = new ApiException(503, "SERVER_BUSY", "the message bus did not take the operation within "
                + PUBLISH_WAIT_MS + " ms (" + e + "); nothing was changed, try again later");
        busy.initCause(e);
        return busy;
    }

    /** Watches MySQL until the writer stored the outcome, for up to {@link #APPLY_WAIT}. */
    private Outcome await(String conversationId, String opId, Supplier<Optional<MessageRecord>> outcome)
            throws ApiException {
        long deadline = clock.millis() + APPLY_WAIT.toMillis();
        while (true) {
            Optional<MessageRecord> r = outcome.get();
            if (r.isPresent()) {
                return new Outcome(conversationId, opId, true, r.get().seq(), r.get().msgId(), r.get().version());
            }
            if (clock.millis() >= deadline) {
                return new Outcome(conversationId, opId, false, 0, 0, 0);
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(conversationId, opId, false, 0, 0, 0);
            }
        }
    }
}
