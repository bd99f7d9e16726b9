package io.magpie.logic.internal;

import io.magpie.das.GroupRoster;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.MessageContent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mentions of a group SEND (docs/PROTOCOL.md §9.20), decided from the group's roster read under its lock:
 * {@code mention_all} only by an admin or the owner ({@code MENTION_ALL_NOT_ALLOWED} otherwise), every uid of
 * {@code mentioned_uids} a member ({@code BAD_REQUEST} naming the others); and whom the stored message marks "@me":
 * the mentioned members (every member who sees it for {@code mention_all}), the sender never. Stateless.
 */
final class Mentions {

    private Mentions() {
    }

    /** Whether {@code content} mentions anyone: the cheap test the hot path makes. */
    static boolean any(MessageContent content) {
        return content.getMentionAll() || content.getMentionedUidsCount() > 0;
    }

    /** Why {@code c} may not mention whom it mentions in the group of {@code roster}, or null. */
    static Rejection check(SendCommand c, GroupRoster roster) {
        MessageContent content = c.request().getContent();
        if (!any(content)) {
            return null;
        }
        if (content.getMentionAll() && !roster.isAdmin(c.senderUid())) {
            return new Rejection(c.envelope(), ErrorCode.MENTION_ALL_NOT_ALLOWED, "content.mention_all (@all) is for"
                    + " the admins and the owner of group " + c.groupId() + "; uid " + c.senderUid() + " is a plain"
                    + " member: mention members by mentioned_uids instead; the message was not sent");
        }
        Set<Long> strangers = new TreeSet<>();
        for (long uid : content.getMentionedUidsList()) {
            if (!roster.isMember(uid)) {
                strangers.add(uid);
            }
        }
        if (!strangers.isEmpty()) {
            return new Rejection(c.envelope(), ErrorCode.BAD_REQUEST, "content.mentioned_uids names uids that are not"
                    + " members of group " + c.groupId() + ": " + List.copyOf(strangers) + "; the message was not sent");
        }
        return null;
    }

    /** The members the message of {@code c} stored at {@code seq} marks "@me" (the sender excluded). */
    static Set<Long> marked(SendCommand c, GroupRoster roster, long seq) {
        MessageContent content = c.request().getContent();
        Set<Long> marked = content.getMentionAll() ? new LinkedHashSet<>(roster.membersAt(seq))
                : new LinkedHashSet<>(content.getMentionedUidsList());
        marked.remove(c.senderUid());
        return marked;
    }
}
