package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import org.junit.jupiter.api.Test;

class SyncPreviewTest {

    private static Message text(String text, ByteString custom) {
        return Message.newBuilder().setMsgId(7).setSeq(3).setContent(MessageContent.newBuilder()
                .setType(MessageType.TEXT).setText(text).setCustom(custom)).build();
    }

    @Test
    void aShortTextMessageIsShownWhole() {
        Message m = text("hello", ByteString.EMPTY);
        assertSame(m, SyncHandler.preview(m));
    }

    @Test
    void aLongTextIsCutAtTheLimitInCodePointsNeverInsideASurrogatePair() {
        String emoji = "\uD83D\uDE00"; // one code point, two chars
        Message m = text(emoji.repeat(SyncHandler.PREVIEW_CODE_POINTS + 50), ByteString.EMPTY);

        String cut = SyncHandler.preview(m).getContent().getText();

        assertEquals(SyncHandler.PREVIEW_CODE_POINTS, cut.codePointCount(0, cut.length()));
        assertEquals(emoji.repeat(SyncHandler.PREVIEW_CODE_POINTS), cut);
        assertEquals(7, SyncHandler.preview(m).getMsgId(), "everything else is kept");
    }

    @Test
    void customBytesAreLeftOutOfThePreview() {
        Message m = text("caption", ByteString.copyFromUtf8("x".repeat(10_000)));

        Message preview = SyncHandler.preview(m);

        assertTrue(preview.getContent().getCustom().isEmpty());
        assertEquals("caption", preview.getContent().getText());
    }
}
