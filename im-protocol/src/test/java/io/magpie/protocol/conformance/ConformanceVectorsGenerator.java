package io.magpie.protocol.conformance;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.ClearRequest;
import io.magpie.protocol.proto.EditAck;
import io.magpie.protocol.proto.EditRequest;
import io.magpie.protocol.proto.ReactAck;
import io.magpie.protocol.proto.ReactRequest;
import io.magpie.protocol.proto.ReactionCount;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.GroupAck;
import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.GroupEventType;
import io.magpie.protocol.proto.GroupNone;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.GroupUids;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Location;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Pong;
import io.magpie.protocol.proto.PresenceAck;
import io.magpie.protocol.proto.PresenceRequest;
import io.magpie.protocol.proto.PresenceState;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.Reconnect;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.TypingRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes docs/conformance/frames.json, the protocol's conformance vectors, from the definitions below.
 * Run once when vectors are added ({@code main(path)}); the committed file is the contract, checked by
 * {@link ConformanceVectorsTest} here and by the gate's and the TypeScript SDK's tests. Test scope only.
 */
public final class ConformanceVectorsGenerator {

    /** One vector before encoding: the frame's meaning. */
    record Vector(String name, String description, Command command, long requestId, com.google.protobuf.Message body) {
    }

    /** 2^53 + 1: the smallest id a JavaScript Number cannot hold (it reads 2^53). */
    static final long ABOVE_2_53 = 9_007_199_254_740_993L;
    static final long MSG_ID = 7_327_490_123_456_789_012L;
    static final long VERSION = 7_327_490_987_654_321_098L;
    static final String CONV = "s_10001_10002";
    static final String TEXT = "héllo, 世界 👋";
    static final long TIME = 1_767_225_600_123L;
    static final String TOKEN = "djJ8ZGVmYXVsdHwxMDAwMXxwaG9uZS0xfDF8MTc2NzIyNTYwMDAwMHw0MjQy"
            + ".8DvlI99XjVOvMkXgEoA8tV1jcZewlq1UpU0-QAtA3jM";

    private ConformanceVectorsGenerator() {
    }

    static List<Vector> vectors() {
        Message pushed = Message.newBuilder().setMsgId(ABOVE_2_53).setConversationId(CONV)
                .setConversationType(ConversationType.SINGLE).setSeq(42).setSenderUid(10001)
                .setSenderDeviceId("phone-1").setClientMsgId("c-1")
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText(TEXT))
                .setServerTime(TIME).setVersion(ABOVE_2_53).setTargetId(10002).build();
        Message recalled = Message.newBuilder().setMsgId(MSG_ID).setConversationId(CONV)
                .setConversationType(ConversationType.SINGLE).setSeq(41).setSenderUid(10002)
                .setSenderDeviceId("web-1").setClientMsgId("8f14e45f-ceea-467f-a0e6-3f1a7e2d9c01")
                .setContent(MessageContent.newBuilder().setType(MessageType.IMAGE)).setServerTime(TIME - 60_000)
                .setVersion(VERSION).setTargetId(10001).setStatus(MessageStatus.RECALLED).build();
        return List.of(
                new Vector("login", "LOGIN with the token of PROTOCOL.md §4.1 (the same bytes)",
                        Command.LOGIN, 1, LoginRequest.newBuilder().setToken(TOKEN).setClientVersion("magpie-js/1.0")
                        .build()),
                new Vector("login_ack", "LOGIN_ACK answering request id 1", Command.LOGIN_ACK, 1,
                        LoginAck.newBuilder().setUid(10001).setDeviceId("phone-1").setServerTime(TIME)
                                .setHeartbeatSeconds(30).setGateId("gate-1").build()),
                new Vector("ping_empty_body", "PING: an empty body, the frame is the 14-byte header (§4.2)",
                        Command.PING, 2, Ping.getDefaultInstance()),
                new Vector("ping_max_request_id", "PING with the largest request id, 2^32 - 1 (unsigned)",
                        Command.PING, 4_294_967_295L, Ping.getDefaultInstance()),
                new Vector("pong", "PONG answering request id 2", Command.PONG, 2,
                        Pong.newBuilder().setServerTime(TIME).build()),
                new Vector("send_text_non_ascii", "SEND of a TEXT with non-ASCII text (2- to 4-byte UTF-8)",
                        Command.SEND, 7, SendRequest.newBuilder().setClientMsgId("c-1")
                        .setConversationType(ConversationType.SINGLE).setTargetId(10002)
                        .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText(TEXT)).build()),
                new Vector("send_image_to_group", "SEND of an IMAGE (MediaInfo) to group 77",
                        Command.SEND, 8, SendRequest.newBuilder().setClientMsgId("c-2")
                        .setConversationType(ConversationType.GROUP).setTargetId(77)
                        .setContent(MessageContent.newBuilder().setType(MessageType.IMAGE).setText("our cat")
                                .setMedia(MediaInfo.newBuilder().setUrl("https://cdn.example.com/cat.jpg")
                                        .setMimeType("image/jpeg").setSizeBytes(5_000_000).setWidth(1920)
                                        .setHeight(1080))).build()),
                new Vector("send_custom_bytes", "SEND of CUSTOM content: bytes are base64 in the JSON mapping",
                        Command.SEND, 9, SendRequest.newBuilder().setClientMsgId("c-3")
                        .setConversationType(ConversationType.SINGLE).setTargetId(10002)
                        .setContent(MessageContent.newBuilder().setType(MessageType.CUSTOM).setCustomType("com.example.raw")
                                .setCustom(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff})))
                        .build()),
                new Vector("send_location", "SEND of a LOCATION (Location: two doubles, fixed 64-bit)",
                        Command.SEND, 10, SendRequest.newBuilder().setClientMsgId("c-4")
                        .setConversationType(ConversationType.SINGLE).setTargetId(10002)
                        .setContent(MessageContent.newBuilder().setType(MessageType.LOCATION)
                                .setLocation(Location.newBuilder().setLatitude(48.8584).setLongitude(2.2945)
                                        .setName("Eiffel Tower")))
                        .build()),
                new Vector("send_ack_large_msg_id", "SEND_ACK whose msg_id (above 2^53) needs BigInt or a string",
                        Command.SEND_ACK, 7, SendAck.newBuilder().setClientMsgId("c-1").setConversationId(CONV)
                        .setMsgId(ABOVE_2_53).setSeq(42).setServerTime(TIME).build()),
                new Vector("push_one_message", "PUSH (request id 0) of one message with msg_id and version 2^53 + 1",
                        Command.PUSH, 0, Push.newBuilder().addMessages(pushed).build()),
                new Vector("push_group_system_message", "PUSH of a SYSTEM message recording a group change",
                        Command.PUSH, 0, Push.newBuilder().addMessages(Message.newBuilder().setMsgId(MSG_ID)
                                .setConversationId("g_77").setConversationType(ConversationType.GROUP).setSeq(5)
                                .setSenderUid(10001).setSenderDeviceId("phone-1").setClientMsgId("g-1")
                                .setContent(MessageContent.newBuilder().setType(MessageType.SYSTEM)
                                        .setGroupEvent(GroupEvent.newBuilder().setType(GroupEventType.MEMBERS_INVITED)
                                                .setOperatorUid(10001).addTargetUids(10003).addTargetUids(10004)
                                                .setMemberCount(4)))
                                .setServerTime(TIME).setVersion(MSG_ID).setTargetId(77)).build()),
                new Vector("push_ack", "PUSH_ACK of the message of push_one_message", Command.PUSH_ACK, 3,
                        PushAck.newBuilder().addAcked(MessageRef.newBuilder().setConversationId(CONV).setSeq(42))
                                .build()),
                new Vector("sync", "SYNC from a version above 2^53", Command.SYNC, 4,
                        SyncRequest.newBuilder().setSinceVersion(VERSION).setLimit(100).build()),
                new Vector("sync_first", "SYNC the first time: since_version 0 and limit 0 (the default, 100), an"
                        + " empty body", Command.SYNC, 5, SyncRequest.getDefaultInstance()),
                new Vector("sync_ack", "SYNC_ACK with one conversation row", Command.SYNC_ACK, 4,
                        SyncAck.newBuilder().addConversations(ConversationInfo.newBuilder().setConversationId(CONV)
                                .setConversationType(ConversationType.SINGLE).setTargetId(10002).setLastSeq(42)
                                .setReadSeq(42).setVersion(ABOVE_2_53).setLastMessage(pushed).setPeerReadSeq(40))
                                .setVersion(VERSION).setTotalUnread(3).build()),
                new Vector("pull", "PULL forward from seq 40 up to the newest", Command.PULL, 6,
                        PullRequest.newBuilder().setConversationId(CONV).setFromSeq(40).setLimit(50).build()),
                new Vector("pull_ack", "PULL_ACK with a recalled placeholder and a message", Command.PULL_ACK, 6,
                        PullAck.newBuilder().setConversationId(CONV).addMessages(recalled).addMessages(pushed)
                                .setHasMore(true).build()),
                new Vector("read", "READ up to seq 42", Command.READ, 10,
                        ReadRequest.newBuilder().setConversationId(CONV).setReadSeq(42).build()),
                new Vector("read_ack", "READ_ACK", Command.READ_ACK, 10, ActionAck.newBuilder().setConversationId(CONV)
                        .setVersion(VERSION).setSeq(42).setLastSeq(42).build()),
                new Vector("recall", "RECALL of seq 41", Command.RECALL, 11,
                        MessageActionRequest.newBuilder().setConversationId(CONV).setSeq(41).build()),
                new Vector("recall_ack", "RECALL_ACK with the recalled message's new version", Command.RECALL_ACK, 11,
                        ActionAck.newBuilder().setConversationId(CONV).setVersion(VERSION).build()),
                new Vector("delete_packed_seqs", "DELETE of three messages: more_seqs is packed", Command.DELETE, 12,
                        MessageActionRequest.newBuilder().setConversationId(CONV).setSeq(40).addMoreSeqs(41)
                                .addMoreSeqs(42).build()),
                new Vector("delete_ack", "DELETE_ACK", Command.DELETE_ACK, 12,
                        ActionAck.newBuilder().setConversationId(CONV).setVersion(VERSION).build()),
                new Vector("clear", "CLEAR up to the newest message (up_to_seq 0 is not encoded)", Command.CLEAR, 13,
                        ClearRequest.newBuilder().setConversationId(CONV).build()),
                new Vector("clear_ack", "CLEAR_ACK with the new cleared_seq", Command.CLEAR_ACK, 13,
                        ActionAck.newBuilder().setConversationId(CONV).setVersion(VERSION).setSeq(42).build()),
                new Vector("kick", "KICK DUPLICATE_DEVICE (request id 0)", Command.KICK, 0, Kick.newBuilder()
                        .setReason(KickReason.DUPLICATE_DEVICE).setMessage("the device logged in again").build()),
                new Vector("reconnect", "RECONNECT of PROTOCOL.md §9.8 (the same bytes)", Command.RECONNECT, 0,
                        Reconnect.newBuilder().setReason("gate draining").setDelayMs(73).build()),
                new Vector("error_rate_limited", "ERROR RATE_LIMITED with retry_after_ms, of PROTOCOL.md §4.3",
                        Command.ERROR, 7, Error.newBuilder().setCode(ErrorCode.RATE_LIMITED.code())
                        .setMessage("slow down").setCommand(Command.SEND.code()).setRetryable(true)
                        .setRetryAfterMs(250).build()),
                new Vector("error_frame_too_large", "ERROR FRAME_TOO_LARGE (request id 0, command 0: not"
                        + " attributable), then the gate closes", Command.ERROR, 0, Error.newBuilder()
                        .setCode(ErrorCode.FRAME_TOO_LARGE.code())
                        .setMessage("body length 70000 exceeds the limit of 65536 bytes").build()),
                new Vector("logout", "LOGOUT: empty body (type google.protobuf.Empty)", Command.LOGOUT, 14,
                        Empty.getDefaultInstance()),
                new Vector("notice_read", "NOTICE_READ to your other devices", Command.NOTICE, 0, Notice.newBuilder()
                        .setType(NoticeType.NOTICE_READ).setConversationId(CONV).setSeq(42).setUid(10001)
                        .setVersion(VERSION).build()),
                new Vector("notice_presence", "NOTICE_PRESENCE with a non-ASCII status text", Command.NOTICE, 0,
                        Notice.newBuilder().setType(NoticeType.NOTICE_PRESENCE).setUid(10002)
                                .setPresence(PresenceState.newBuilder().setUid(10002).setOnline(true)
                                        .addPlatforms(Platform.ANDROID).addPlatforms(Platform.WEB).setDeviceCount(2)
                                        .setStatusText("在线 ☕")).build()),
                new Vector("typing", "TYPING (no answer on success)", Command.TYPING, 15,
                        TypingRequest.newBuilder().setConversationId(CONV).build()),
                new Vector("group_invite", "GROUP invite of two users", Command.GROUP, 16, GroupRequest.newBuilder()
                        .setGroupId(77).setClientMsgId("g-1").setInvite(GroupUids.newBuilder().addUids(10003)
                                .addUids(10004)).build()),
                new Vector("group_leave_empty_op", "GROUP leave: the op is an empty message, still encoded"
                        + " (field 14, length 0)", Command.GROUP, 17, GroupRequest.newBuilder().setGroupId(77)
                        .setClientMsgId("g-2").setLeave(GroupNone.getDefaultInstance()).build()),
                new Vector("group_ack", "GROUP_ACK of group_invite", Command.GROUP_ACK, 16, GroupAck.newBuilder()
                        .setGroupId(77).setClientMsgId("g-1").setSeq(5).setMsgId(MSG_ID).setVersion(MSG_ID).build()),
                new Vector("presence", "PRESENCE: query one user and set the watch list", Command.PRESENCE, 18,
                        PresenceRequest.newBuilder().addQueryUids(10002).setSetWatch(true).addWatchUids(10003)
                                .build()),
                new Vector("presence_ack", "PRESENCE_ACK: one state, offline with last_seen", Command.PRESENCE_ACK,
                        18, PresenceAck.newBuilder().addStates(PresenceState.newBuilder().setUid(10002)
                                .setLastSeen(TIME - 3_600_000)).setWatching(1).build()),
                new Vector("react", "REACT: a thumbs-up on seq 5", Command.REACT, 19, ReactRequest.newBuilder()
                        .setConversationId(CONV).setSeq(5).setEmoji("\uD83D\uDC4D").build()),
                new Vector("react_ack", "REACT_ACK of react: the message's new version and its reactions",
                        Command.REACT_ACK, 19, ReactAck.newBuilder().setConversationId(CONV).setSeq(5)
                                .setVersion(MSG_ID + 1).addReactions(ReactionCount.newBuilder()
                                        .setEmoji("\uD83D\uDC4D").setCount(1).addUids(10001)).build()),
                new Vector("edit", "EDIT of the text at seq 5", Command.EDIT, 20, EditRequest.newBuilder()
                        .setConversationId(CONV).setSeq(5).setContent(MessageContent.newBuilder()
                                .setType(MessageType.TEXT).setText("hello, fixed")).build()),
                new Vector("edit_ack", "EDIT_ACK of edit: the stored content, its new version and edit time",
                        Command.EDIT_ACK, 20, EditAck.newBuilder().setConversationId(CONV).setSeq(5)
                                .setVersion(MSG_ID + 2).setEditedAt(TIME + 60_000).setContent(MessageContent
                                        .newBuilder().setType(MessageType.TEXT).setText("hello, fixed")).build()));
    }

    /** The vectors as the JSON array of docs/conformance/frames.json. */
    static String json() throws InvalidProtocolBufferException {
        JsonFormat.Printer printer = JsonFormat.printer();
        JsonArray all = new JsonArray();
        for (Vector v : vectors()) {
            byte[] body = v.body().toByteArray();
            ByteBuf out = Unpooled.buffer();
            FrameEncoder.writeTo(new Frame(v.command().code(), (int) v.requestId(), 0, body), out);
            JsonObject o = new JsonObject();
            o.addProperty("name", v.name());
            o.addProperty("description", v.description());
            o.addProperty("hex", ByteBufUtil.hexDump(out));
            out.release();
            o.addProperty("command", v.command().code());
            o.addProperty("commandName", v.command().name());
            o.addProperty("requestId", v.requestId());
            JsonObject b = new JsonObject();
            b.addProperty("type", v.body().getDescriptorForType().getFullName());
            b.add("json", JsonParser.parseString(printer.print(v.body())));
            o.add("body", b);
            all.add(o);
        }
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(all) + "\n";
    }

    /** @param args the file to write, e.g. docs/conformance/frames.json */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), json(), StandardCharsets.UTF_8);
    }
}
