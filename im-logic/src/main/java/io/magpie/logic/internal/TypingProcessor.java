package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.Group;
import io.magpie.das.GroupRepository;
import io.magpie.das.GroupRoster;
import io.magpie.das.Relations;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.TypingRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TYPING (docs/PROTOCOL.md §9.15): tells the other members' online devices that the sender is typing, as
 * NOTICE_TYPING, never stored and never acknowledged. One-to-one: not when either blocked the other, nor to a
 * peer who takes messages from friends only when the sender is not their friend.
 * Group: only a member may, only in groups of at most {@code maxGroupSize} members (larger ones are dropped
 * silently, decided from the group row before any roster is read), and members the sender blocked are left
 * out. A non-member, or a member of a dismissed group, gets ERROR FORBIDDEN, a malformed body BAD_REQUEST.
 * Blocking (MySQL); thread-safe; throws on storage failures.
 */
public final class TypingProcessor {

    private static final Logger log = LoggerFactory.getLogger(TypingProcessor.class);

    private final Relations relations;
    private final GroupRepository groups;
    private final int maxGroupSize;

    public TypingProcessor(Relations relations, GroupRepository groups, int maxGroupSize) {
        this.relations = Objects.requireNonNull(relations, "relations");
        this.groups = Objects.requireNonNull(groups, "groups");
        this.maxGroupSize = maxGroupSize;
    }

    /** The notice to the other members, an ERROR, or nothing (a typing signal nobody may see). */
    public List<OutgoingPush> process(UpstreamEnvelope env) {
        String conversationId;
        try {
            conversationId = TypingRequest.parseFrom(env.getBody()).getConversationId();
        } catch (InvalidProtocolBufferException e) {
            return List.of(refuse(env, ErrorCode.BAD_REQUEST, "body of TYPING (" + env.getBody().size()
                    + " bytes) is not a valid TypingRequest: " + e.getMessage()));
        }
        long sender = env.getUid();
        List<Long> others = new ArrayList<>();
        try {
            if (ConversationIds.isGroup(conversationId)) {
                long groupId = ConversationIds.groupIdOf(conversationId);
                // the group row first: a large group is dropped without reading its roster
                Optional<Group> group = groups.find(groupId);
                if (group.isEmpty() || group.get().dismissed()) {
                    return List.of(refuse(env, ErrorCode.FORBIDDEN, "you are not a member of " + conversationId
                            + "; TYPING dropped"));
                }
                if (group.get().memberCount() > maxGroupSize) {
                    if (groups.member(groupId, sender).isEmpty()) {
                        return List.of(refuse(env, ErrorCode.FORBIDDEN, "you are not a member of " + conversationId
                                + "; TYPING dropped"));
                    }
                    LogIdentity.conversation(LogIdentity.user(log.atDebug(), sender), conversationId)
                            .log("[uid {}] TYPING in {} with {} members dropped: above logic.typing-max-group-size {}",
                            sender, conversationId, group.get().memberCount(), maxGroupSize);
                    return List.of();
                }
                Optional<GroupRoster> roster = groups.roster(groupId);
                if (roster.isEmpty() || !roster.get().isMember(sender)) {
                    return List.of(refuse(env, ErrorCode.FORBIDDEN, "you are not a member of " + conversationId
                            + "; TYPING dropped"));
                }
                roster.get().memberUids().stream().filter(uid -> uid != sender).forEach(others::add);
                others.removeAll(relations.blockedAmong(sender, others));
            } else {
                long peer = ConversationIds.peerOf(conversationId, sender);
                // the peer refuses the sender's messages (a block, or friends only), or the sender blocked the
                // peer: the peer never learns the sender types
                if (peer == sender
                        || !relations.directRefusals(List.of(new Relations.DirectPair(sender, peer))).isEmpty()
                        || !relations.blockedAmong(sender, List.of(peer)).isEmpty()) {
                    return List.of();
                }
                others.add(peer);
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return List.of(refuse(env, ErrorCode.BAD_REQUEST, "conversation_id '" + conversationId
                    + "' is neither s_<uid>_<uid> with you as a member nor g_<group id>"));
        }
        if (others.isEmpty()) {
            return List.of();
        }
        Notice notice = Notice.newBuilder().setType(NoticeType.NOTICE_TYPING).setConversationId(conversationId)
                .setUid(sender).build();
        return List.of(PushTaskFactory.notice(notice, others, null));
    }

    private static OutgoingPush refuse(UpstreamEnvelope env, ErrorCode code, String message) {
        return PushTaskFactory.error(new Rejection(env, code, message));
    }
}
