package io.magpie.hooks.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.hooks.BeforeSendHook;
import io.magpie.hooks.HookEvent;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.FriendRequest;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns one {@code push} record into the after-send events it stands for (docs/operations.md, "Webhooks"): the PUSH
 * of a stored message is a {@code message.stored} event (a SYSTEM message recording a group change is a
 * {@code group.changed} one), the NOTICE telling a user about a friend request or friendship change is a
 * {@code friend.changed} one. Everything else on the topic (acks, errors, read notices, presence) is none, and so
 * is a task of an app whose events another endpoint takes (the task's {@code app_id}, which each event carries).
 * Stateless and thread-safe.
 */
public final class HookEvents {

    /** The friend notices that report a change to the other side (the actor's own devices get FRIENDS_CHANGED). */
    private static final Set<NoticeType> FRIEND_CHANGES = Set.of(NoticeType.NOTICE_FRIEND_REQUEST,
            NoticeType.NOTICE_FRIEND_ACCEPTED, NoticeType.NOTICE_FRIEND_REJECTED, NoticeType.NOTICE_FRIEND_REMOVED,
            NoticeType.NOTICE_FRIEND_REQUEST_CANCELLED);

    private final ObjectMapper json;
    private final Set<HookEvent> wanted;
    private final Predicate<String> apps;

    /** @param apps which tasks' {@code app_id} ("" for none) to make events of */
    public HookEvents(ObjectMapper json, Set<HookEvent> wanted, Predicate<String> apps) {
        this.json = json;
        this.wanted = Set.copyOf(wanted);
        this.apps = apps;
    }

    /**
     * The events of one record's value; empty for a record that is none.
     *
     * @param partition and {@code offset}: the record's place, the id of an event without an id of its own
     * @throws InvalidProtocolBufferException the value is not a PushTask, or its body not what its command says
     */
    public List<ObjectNode> of(byte[] value, int partition, long offset) throws InvalidProtocolBufferException {
        PushTask task = PushTask.parseFrom(value);
        if (!apps.test(task.getAppId())) {
            return List.of();
        }
        List<ObjectNode> events = new ArrayList<>(1);
        if (task.getCommand() == Command.PUSH.code()) {
            for (Message m : Push.parseFrom(task.getBody()).getMessagesList()) {
                HookEvent kind = m.getContent().getType() == MessageType.SYSTEM ? HookEvent.GROUP : HookEvent.MESSAGE;
                if (wanted.contains(kind)) {
                    events.add(message(kind, task.getAppId(), m));
                }
            }
        } else if (task.getCommand() == Command.NOTICE.code() && wanted.contains(HookEvent.FRIEND)
                && task.getTargetsCount() == 1) {
            Notice notice = Notice.parseFrom(task.getBody());
            if (FRIEND_CHANGES.contains(notice.getType())) {
                events.add(friend(notice, task.getAppId(), task.getTargets(0).getUid(), partition, offset));
            }
        }
        return events;
    }

    private ObjectNode message(HookEvent kind, String appId, Message m) {
        ObjectNode e = json.createObjectNode();
        e.put("event", kind.wireName());
        e.put("id", kind.wireName() + ":" + m.getMsgId());
        e.put("app_id", appId);
        ObjectNode o = e.putObject("message");
        o.put("msg_id", m.getMsgId());
        o.put("conversation_id", m.getConversationId());
        o.put("conversation_type", m.getConversationType().name());
        o.put("seq", m.getSeq());
        o.put("sender_uid", m.getSenderUid());
        o.put("sender_device_id", m.getSenderDeviceId());
        o.put("client_msg_id", m.getClientMsgId());
        o.put("target_id", m.getTargetId());
        o.put("server_time", m.getServerTime());
        o.set("content", BeforeSendHook.contentJson(m.getContent()));
        return e;
    }

    private ObjectNode friend(Notice n, String appId, long uid, int partition, long offset) {
        ObjectNode e = json.createObjectNode();
        e.put("event", HookEvent.FRIEND.wireName());
        e.put("id", HookEvent.FRIEND.wireName() + ":" + partition + "-" + offset);
        e.put("app_id", appId);
        e.put("change", n.getType().name().substring("NOTICE_FRIEND_".length()).toLowerCase(Locale.ROOT));
        e.put("actor_uid", n.getUid());
        e.put("uid", uid);
        if (n.hasFriendRequest()) {
            FriendRequest r = n.getFriendRequest();
            ObjectNode o = e.putObject("request");
            o.put("request_id", r.getRequestId());
            o.put("from_uid", r.getFromUid());
            o.put("to_uid", r.getToUid());
            o.put("message", r.getMessage());
            o.put("state", r.getState().name().substring("FRIEND_REQUEST_".length()).toLowerCase(Locale.ROOT));
            o.put("created_at", r.getCreatedAt());
            o.put("updated_at", r.getUpdatedAt());
        }
        return e;
    }
}
