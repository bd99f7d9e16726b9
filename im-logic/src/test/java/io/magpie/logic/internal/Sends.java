package io.magpie.logic.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;

/** Builders of test envelopes and sends. */
final class Sends {

    private Sends() {
    }

    static SendRequest text(String clientMsgId, long target, String text) {
        return SendRequest.newBuilder()
                .setClientMsgId(clientMsgId)
                .setConversationType(ConversationType.SINGLE)
                .setTargetId(target)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText(text))
                .build();
    }

    static UpstreamEnvelope envelope(long uid, long connectionId, int requestId, SendRequest body) {
        return envelope(uid, connectionId, requestId, Command.SEND.code(), body.toByteArray());
    }

    static UpstreamEnvelope envelope(long uid, long connectionId, int requestId, int command, byte[] body) {
        return UpstreamEnvelope.newBuilder()
                .setGateId("gate-1")
                .setConnectionId(connectionId)
                .setUid(uid)
                .setDeviceId("dev-" + uid)
                .setPlatform(Platform.ANDROID)
                .setCommand(command)
                .setRequestId(requestId)
                .setBody(com.google.protobuf.ByteString.copyFrom(body))
                .setReceivedAt(1_000)
                .build();
    }

    static SendCommand command(long sender, long target, String clientMsgId) {
        SendRequest req = text(clientMsgId, target, "hi " + clientMsgId);
        return new SendCommand(envelope(sender, 7, 1, req), req,
                io.magpie.protocol.ConversationIds.single(sender, target), ConversationType.SINGLE, target);
    }

    static SendRequest groupText(String clientMsgId, long groupId, String text) {
        return text(clientMsgId, groupId, text).toBuilder().setConversationType(ConversationType.GROUP).build();
    }

    static SendCommand groupCommand(long sender, long groupId, String clientMsgId) {
        SendRequest req = groupText(clientMsgId, groupId, "hi " + clientMsgId);
        return new SendCommand(envelope(sender, 7, 1, req), req,
                io.magpie.protocol.ConversationIds.group(groupId), ConversationType.GROUP, groupId);
    }
}
