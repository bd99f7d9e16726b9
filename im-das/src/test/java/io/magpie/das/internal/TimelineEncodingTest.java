package io.magpie.das.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.magpie.das.MessageRecord;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.MessageType;
import org.junit.jupiter.api.Test;

class TimelineEncodingTest {

    @Test
    void singleMessageCarriesEveryFieldAndThePeerAsTarget() throws Exception {
        MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText("hello").build();
        MessageRecord record = new MessageRecord(900, "s_7_9", ConversationType.SINGLE_VALUE, 12, 14, 9, "phone",
                "c-12", MessageType.TEXT_VALUE, content.toByteArray(), MessageRecord.STATUS_RECALLED, 1_700_000_000_000L);

        Message message = Message.parseFrom(TimelineEncoding.encode(record));

        assertEquals(Message.newBuilder()
                .setMsgId(900).setConversationId("s_7_9").setConversationType(ConversationType.SINGLE)
                .setSeq(12).setVersion(14).setSenderUid(9).setSenderDeviceId("phone").setClientMsgId("c-12")
                .setContent(content).setServerTime(1_700_000_000_000L).setTargetId(7)
                .setStatus(MessageStatus.RECALLED).build(), message);
    }

    @Test
    void groupMessageTargetsTheGroup() throws Exception {
        MessageRecord record = new MessageRecord(1, "g_55", ConversationType.GROUP_VALUE, 1, 1, 9, "d", "c",
                MessageType.TEXT_VALUE, new byte[0], 0, 1);
        assertEquals(55, Message.parseFrom(TimelineEncoding.encode(record)).getTargetId());
    }

    @Test
    void unknownConversationTypeIsRefused() {
        MessageRecord record = new MessageRecord(1, "x_1", 9, 1, 1, 9, "d", "c", 1, new byte[0], 0, 1);
        assertThrows(IllegalArgumentException.class, () -> TimelineEncoding.encode(record));
    }
}
