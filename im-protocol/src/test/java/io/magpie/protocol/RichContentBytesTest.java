package io.magpie.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.ReplyRef;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Pins the bytes of a reply with a mention as docs/PROTOCOL.md §9.19 shows them. */
class RichContentBytesTest {

    @Test
    void encodesTheDocumentedReplyWithAMention() {
        MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText("ok")
                .setReplyTo(ReplyRef.newBuilder().setSeq(3)).addMentionedUids(10002).build();

        assertEquals("080112026f6b3a0208034202924e", HexFormat.of().formatHex(content.toByteArray()));
        assertEquals("080112026f6b3a0208034202924e4801", HexFormat.of().formatHex(content.toBuilder()
                .setMentionAll(true).build().toByteArray()));
    }
}
