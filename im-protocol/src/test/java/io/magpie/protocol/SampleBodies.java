package io.magpie.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PresenceAck;
import io.magpie.protocol.proto.PresenceEvent;
import io.magpie.protocol.proto.PresenceRequest;
import io.magpie.protocol.proto.PresenceState;
import io.magpie.protocol.proto.TypingRequest;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.ClearRequest;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.LinkChallenge;
import io.magpie.protocol.proto.LinkHello;
import io.magpie.protocol.proto.LinkProof;
import io.magpie.protocol.proto.LinkReady;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Pong;
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

/**
 * The body message of every command (as docs/PROTOCOL.md lists them), with a filled-in sample.
 * The switches are exhaustive, so adding a {@link Command} without deciding its body fails to
 * compile here.
 */
public final class SampleBodies {

    private SampleBodies() {
    }

    private static final Message MESSAGE = Message.newBuilder()
            .setMsgId(7_301_234_567_890L).setConversationId("s_10001_10002")
            .setConversationType(ConversationType.SINGLE).setSeq(12).setSenderUid(10001)
            .setSenderDeviceId("phone-1").setClientMsgId("c-1").setServerTime(1_767_225_600_000L)
            .setVersion(3).setTargetId(10002)
            .setContent(MessageContent.newBuilder().setType(MessageType.IMAGE).setText("sunset")
                    .setMedia(MediaInfo.newBuilder().setUrl("https://cdn.example/a.jpg").setMimeType("image/jpeg")
                            .setSizeBytes(52_000).setWidth(800).setHeight(600).setThumbnailUrl("https://cdn.example/a_t.jpg")))
            .build();

    private static final ActionAck ACTION_ACK = ActionAck.newBuilder().setConversationId("g_77").setVersion(9).build();
    private static final MessageActionRequest ACTION = MessageActionRequest.newBuilder()
            .setConversationId("g_77").setSeq(5).build();

    /** A sample body for {@code command}; PING and LOGOUT have empty bodies. */
    public static MessageLite sample(Command command) {
        return switch (command) {
            case LOGIN -> LoginRequest.newBuilder().setToken("payload.signature").setClientVersion("test/1").build();
            case LOGIN_ACK -> LoginAck.newBuilder().setUid(10001).setDeviceId("phone-1")
                    .setServerTime(1_767_225_600_000L).setHeartbeatSeconds(30).setGateId("gate-1").build();
            case PING, LOGOUT -> Ping.getDefaultInstance();
            case PONG -> Pong.newBuilder().setServerTime(1_767_225_600_000L).build();
            case SEND -> SendRequest.newBuilder().setClientMsgId("c-1").setConversationType(ConversationType.SINGLE)
                    .setTargetId(10002).setContent(MESSAGE.getContent()).build();
            case SEND_ACK -> SendAck.newBuilder().setClientMsgId("c-1").setConversationId("s_10001_10002")
                    .setMsgId(MESSAGE.getMsgId()).setSeq(12).setServerTime(1_767_225_600_000L).build();
            case PUSH -> Push.newBuilder().addMessages(MESSAGE).build();
            case PUSH_ACK -> PushAck.newBuilder()
                    .addAcked(MessageRef.newBuilder().setConversationId("s_10001_10002").setSeq(12)).build();
            case SYNC -> SyncRequest.newBuilder().setSinceVersion(40).setLimit(100).build();
            case SYNC_ACK -> SyncAck.newBuilder().addConversations(ConversationInfo.newBuilder()
                    .setConversationId("s_10001_10002").setConversationType(ConversationType.SINGLE)
                    .setTargetId(10002).setLastSeq(12).setReadSeq(10).setVersion(41).setLastMessage(MESSAGE))
                    .setVersion(41).setHasMore(false).build();
            case PULL -> PullRequest.newBuilder().setConversationId("s_10001_10002").setFromSeq(1).setToSeq(12)
                    .setLimit(50).build();
            case PULL_ACK -> PullAck.newBuilder().setConversationId("s_10001_10002").addMessages(MESSAGE)
                    .setHasMore(true).build();
            case READ -> ReadRequest.newBuilder().setConversationId("s_10001_10002").setReadSeq(12).build();
            case RECALL, DELETE -> ACTION;
            case READ_ACK, RECALL_ACK, DELETE_ACK, CLEAR_ACK -> ACTION_ACK;
            case CLEAR -> ClearRequest.newBuilder().setConversationId("g_77").setUpToSeq(5).build();
            case KICK -> Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE)
                    .setMessage("logged in on another connection").build();
            case RECONNECT -> Reconnect.newBuilder().setReason("gate draining").setDelayMs(1500).build();
            case NOTICE -> Notice.newBuilder().setType(NoticeType.NOTICE_PEER_READ).setConversationId("s_10001_10002")
                    .setSeq(12).setUid(10002).build();
            case GROUP -> io.magpie.protocol.proto.GroupRequest.newBuilder().setGroupId(77).setClientMsgId("g-1")
                    .setInvite(io.magpie.protocol.proto.GroupUids.newBuilder().addUids(10003)).build();
            case GROUP_ACK -> io.magpie.protocol.proto.GroupAck.newBuilder().setGroupId(77).setClientMsgId("g-1")
                    .setSeq(13).setMsgId(MESSAGE.getMsgId()).setVersion(MESSAGE.getMsgId()).build();
            case ERROR -> Error.newBuilder().setCode(ErrorCode.RATE_LIMITED.code()).setMessage("slow down")
                    .setCommand(Command.SEND.code()).setRetryable(true).build();
            case GATE_PUSH -> GatePush.newBuilder()
                    .addConnections(ConnectionRef.newBuilder().setConnectionId(5).setUid(10002))
                    .setCommand(Command.PUSH.code()).setBody(ByteString.copyFrom(
                            Push.newBuilder().addMessages(MESSAGE).build().toByteArray())).build();
            case GATE_PUSH_ACK -> GatePushAck.newBuilder().setWritten(1).addMissingConnectionIds(6).build();
            case LINK_HELLO -> LinkHello.newBuilder().setRouterNonce(ByteString.copyFrom(new byte[32]))
                    .setRouterId("router-1").build();
            case LINK_CHALLENGE -> LinkChallenge.newBuilder().setGateNonce(ByteString.copyFrom(new byte[32]))
                    .setGateId("gate-1").setGateProof(ByteString.copyFrom(new byte[32])).setMaxFrameBytes(65_536)
                    .build();
            case LINK_PROOF -> LinkProof.newBuilder().setRouterProof(ByteString.copyFrom(new byte[32])).build();
            case LINK_READY -> LinkReady.getDefaultInstance();
            case TYPING -> TypingRequest.newBuilder().setConversationId("g_77").build();
            case PRESENCE -> PresenceRequest.newBuilder().addQueryUids(10002).setSetWatch(true).addWatchUids(10003)
                    .build();
            case PRESENCE_ACK -> PresenceAck.newBuilder().addStates(PresenceState.newBuilder().setUid(10002)
                    .setOnline(true).addPlatforms(Platform.ANDROID).setDeviceCount(1).setStatusText("here"))
                    .setWatching(1).build();
            case PRESENCE_EVENT -> PresenceEvent.newBuilder().setOnline(true).build();
            case ADMIN_OP -> io.magpie.protocol.proto.AdminCommand.newBuilder().setOpId("admin-1")
                    .setDismissGroup(io.magpie.protocol.proto.AdminDismissGroup.newBuilder().setGroupId(77)).build();
            case REACT -> io.magpie.protocol.proto.ReactRequest.newBuilder().setConversationId("g_77").setSeq(12)
                    .setEmoji("👍").build();
            case REACT_ACK -> io.magpie.protocol.proto.ReactAck.newBuilder().setConversationId("g_77").setSeq(12)
                    .setVersion(MESSAGE.getMsgId() + 1).addReactions(io.magpie.protocol.proto.ReactionCount.newBuilder()
                            .setEmoji("👍").setCount(1).addUids(10001)).build();
            case EDIT -> io.magpie.protocol.proto.EditRequest.newBuilder().setConversationId("g_77").setSeq(12)
                    .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("fixed")).build();
            case EDIT_ACK -> io.magpie.protocol.proto.EditAck.newBuilder().setConversationId("g_77").setSeq(12)
                    .setVersion(MESSAGE.getMsgId() + 1).setEditedAt(1_767_225_600_000L).setContent(MessageContent
                            .newBuilder().setType(MessageType.TEXT).setText("fixed")).build();
        };
    }

    /** The parser of {@code command}'s body message. */
    public static Parser<? extends MessageLite> parser(Command command) {
        return switch (command) {
            case LOGIN -> LoginRequest.parser();
            case LOGIN_ACK -> LoginAck.parser();
            case PING, LOGOUT -> Ping.parser();
            case PONG -> Pong.parser();
            case SEND -> SendRequest.parser();
            case SEND_ACK -> SendAck.parser();
            case PUSH -> Push.parser();
            case PUSH_ACK -> PushAck.parser();
            case SYNC -> SyncRequest.parser();
            case SYNC_ACK -> SyncAck.parser();
            case PULL -> PullRequest.parser();
            case PULL_ACK -> PullAck.parser();
            case READ -> ReadRequest.parser();
            case RECALL, DELETE -> MessageActionRequest.parser();
            case READ_ACK, RECALL_ACK, DELETE_ACK, CLEAR_ACK -> ActionAck.parser();
            case CLEAR -> ClearRequest.parser();
            case KICK -> Kick.parser();
            case RECONNECT -> Reconnect.parser();
            case NOTICE -> Notice.parser();
            case GROUP -> io.magpie.protocol.proto.GroupRequest.parser();
            case GROUP_ACK -> io.magpie.protocol.proto.GroupAck.parser();
            case ERROR -> Error.parser();
            case GATE_PUSH -> GatePush.parser();
            case GATE_PUSH_ACK -> GatePushAck.parser();
            case LINK_HELLO -> LinkHello.parser();
            case LINK_CHALLENGE -> LinkChallenge.parser();
            case LINK_PROOF -> LinkProof.parser();
            case LINK_READY -> LinkReady.parser();
            case TYPING -> TypingRequest.parser();
            case PRESENCE -> PresenceRequest.parser();
            case PRESENCE_ACK -> PresenceAck.parser();
            case PRESENCE_EVENT -> PresenceEvent.parser();
            case ADMIN_OP -> io.magpie.protocol.proto.AdminCommand.parser();
            case REACT -> io.magpie.protocol.proto.ReactRequest.parser();
            case REACT_ACK -> io.magpie.protocol.proto.ReactAck.parser();
            case EDIT -> io.magpie.protocol.proto.EditRequest.parser();
            case EDIT_ACK -> io.magpie.protocol.proto.EditAck.parser();
        };
    }
}
