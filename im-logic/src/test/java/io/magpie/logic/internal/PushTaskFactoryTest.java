package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.MessageRecord;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.UpstreamEnvelope;
import org.junit.jupiter.api.Test;

class PushTaskFactoryTest {

    private final UpstreamEnvelope sender = Sends.envelope(1, 77, 5, Sends.text("c1", 2, "hello"));
    private final MessageRecord record = new MessageRecord(900, "s_1_2", 1, 3, 900, 1, "dev-1", "c1", 1,
            MessageContent.newBuilder().setType(MessageType.TEXT).setText("hello").build().toByteArray(), 0, 1234);

    @Test
    void theSendAckGoesToExactlyTheSendingConnectionWithItsRequestId() throws Exception {
        OutgoingPush p = PushTaskFactory.sendAck(sender, "c1", record);
        PushTask t = p.task();

        assertEquals("1", p.key());
        assertEquals(Command.SEND_ACK.code(), t.getCommand());
        assertEquals(5, t.getRequestId());
        assertEquals(1, t.getTargetsCount());
        assertEquals(PushTarget.newBuilder().setUid(1).setGateId("gate-1").setConnectionId(77).build(), t.getTargets(0));
        assertFalse(t.getOfflineNotify());
        SendAck ack = SendAck.parseFrom(t.getBody());
        assertEquals("c1", ack.getClientMsgId());
        assertEquals("s_1_2", ack.getConversationId());
        assertEquals(900, ack.getMsgId());
        assertEquals(3, ack.getSeq());
        assertEquals(1234, ack.getServerTime());
    }

    @Test
    void thePushGoesToThePeerAndTheSendersOtherDevices() throws Exception {
        OutgoingPush p = PushTaskFactory.push(sender, record);
        PushTask t = p.task();

        assertEquals("s_1_2", p.key());
        assertEquals(Command.PUSH.code(), t.getCommand());
        assertEquals(PushTarget.newBuilder().setUid(2).build(), t.getTargets(0));
        assertEquals(PushTarget.newBuilder().setUid(1).setExcludeGateId("gate-1").setExcludeConnectionId(77).build(),
                t.getTargets(1));
        assertTrue(t.getOfflineNotify());
        assertEquals("hello", t.getPreview());
        assertEquals(900, t.getMsgId());
        assertEquals(1, t.getSenderUid());
        Message m = Push.parseFrom(t.getBody()).getMessages(0);
        assertEquals(900, m.getMsgId());
        assertEquals(3, m.getSeq());
        assertEquals(2, m.getTargetId());
        assertEquals("hello", m.getContent().getText());
        assertEquals("dev-1", m.getSenderDeviceId());
    }

    @Test
    void anOperatorsMessageGoesToEveryMemberNobodyExcludedAndNeverToUidZero() throws Exception {
        MessageRecord notice = new MessageRecord(901, "g_5", io.magpie.protocol.proto.ConversationType.GROUP_VALUE, 3,
                901, 0, "", "admin-1", io.magpie.protocol.proto.MessageType.SYSTEM_VALUE,
                io.magpie.protocol.proto.MessageContent.newBuilder().setType(io.magpie.protocol.proto.MessageType.SYSTEM)
                        .setSystemNotice(io.magpie.protocol.proto.SystemNotice.newBuilder().setTitle("Review")
                                .setText("under review")).build().toByteArray(), 0, 1000);

        PushTask t = PushTaskFactory.systemPush(notice, java.util.List.of(0L, 1L, 2L)).task();

        assertEquals(java.util.List.of(PushTarget.newBuilder().setUid(1).build(),
                PushTarget.newBuilder().setUid(2).build()), t.getTargetsList());
        assertTrue(t.getOfflineNotify());
        assertEquals("Review", t.getPreview());
        io.magpie.protocol.proto.Message m = io.magpie.protocol.proto.Push.parseFrom(t.getBody()).getMessages(0);
        assertEquals(5, m.getTargetId());
        assertEquals(0, m.getSenderUid());
        assertEquals("under review", m.getContent().getSystemNotice().getText());
    }

    @Test
    void aRefusalIsAnErrorFrameToTheSendingConnection() throws Exception {
        OutgoingPush p = PushTaskFactory.error(new Rejection(sender, ErrorCode.NOT_FOUND, "user 2 does not exist"));
        PushTask t = p.task();

        assertEquals(Command.ERROR.code(), t.getCommand());
        assertEquals(5, t.getRequestId());
        assertEquals("gate-1", t.getTargets(0).getGateId());
        assertEquals(77, t.getTargets(0).getConnectionId());
        io.magpie.protocol.proto.Error e = io.magpie.protocol.proto.Error.parseFrom(t.getBody());
        assertEquals(ErrorCode.NOT_FOUND.code(), e.getCode());
        assertEquals(Command.SEND.code(), e.getCommand());
        assertEquals("user 2 does not exist", e.getMessage());
        assertFalse(e.getRetryable());
    }

    @Test
    void previewsAreShortAndNameMedia() {
        String longText = "x".repeat(200);
        assertEquals(PushTaskFactory.PREVIEW_CHARS + 1,
                PushTaskFactory.preview(MessageContent.newBuilder().setType(MessageType.TEXT).setText(longText).build())
                        .length());
        assertEquals("[image]", PushTaskFactory.preview(MessageContent.newBuilder().setType(MessageType.IMAGE).build()));
    }

    @Test
    void aGroupMessageIsOneTaskNamingEveryMemberAndSparingOnlyTheSendersConnection() throws Exception {
        MessageRecord group = new MessageRecord(901, "g_40", 2, 4, 901, 1, "dev-1", "c2", 1,
                MessageContent.newBuilder().setType(MessageType.TEXT).setText("all").build().toByteArray(), 0, 1);

        OutgoingPush p = PushTaskFactory.groupPush(sender, group, java.util.List.of(1L, 2L, 3L));

        assertEquals("g_40", p.key());
        assertEquals(java.util.List.of(
                PushTarget.newBuilder().setUid(1).setExcludeGateId("gate-1").setExcludeConnectionId(77).build(),
                PushTarget.newBuilder().setUid(2).build(),
                PushTarget.newBuilder().setUid(3).build()), p.task().getTargetsList());
        assertTrue(p.task().getOfflineNotify());
        assertEquals(4, p.task().getSeq());
        Message m = Push.parseFrom(p.task().getBody()).getMessages(0);
        assertEquals(40, m.getTargetId());
        assertEquals("all", m.getContent().getText());
    }

    @Test
    void messagePushesCarryTheSendersAppAndAnOperatorsNone() {
        UpstreamEnvelope shop = sender.toBuilder().setAppId("shop").build();
        MessageRecord group = new MessageRecord(901, "g_40", 2, 4, 901, 1, "dev-1", "c2", 1,
                MessageContent.newBuilder().setType(MessageType.TEXT).setText("all").build().toByteArray(), 0, 1);

        assertEquals("shop", PushTaskFactory.push(shop, record).task().getAppId());
        assertEquals("shop", PushTaskFactory.groupPush(shop, group, java.util.List.of(1L, 2L)).task().getAppId());
        assertEquals("", PushTaskFactory.push(sender, record).task().getAppId(), "a session without an app");
        assertEquals("", PushTaskFactory.systemPush(group, java.util.List.of(1L, 2L)).task().getAppId(),
                "the operator's message: no session");
    }

    @Test
    void aQueryAnswerGoesToExactlyTheAskingConnection() {
        OutgoingPush p = PushTaskFactory.reply(sender, Command.SYNC_ACK,
                io.magpie.protocol.proto.SyncAck.newBuilder().setVersion(5).build());

        assertEquals(Command.SYNC_ACK.code(), p.task().getCommand());
        assertEquals(5, p.task().getRequestId());
        assertEquals(java.util.List.of(PushTarget.newBuilder().setUid(1).setGateId("gate-1").setConnectionId(77)
                .build()), p.task().getTargetsList());
        assertFalse(p.task().getOfflineNotify());
    }
}
