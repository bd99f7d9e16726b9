package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.magpie.protocol.proto.Location;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import org.junit.jupiter.api.Test;

class ChatContentTest {

    @Test
    void eachTypePrintsItsFieldsOnOneLine() {
        assertEquals("hi", ChatContent.describe(MessageContent.newBuilder().setType(MessageType.TEXT).setText("hi")
                .build()));
        assertEquals("[image 640x480] https://x/a.jpg our cat", ChatContent.describe(MessageContent.newBuilder()
                .setType(MessageType.IMAGE).setText("our cat").setMedia(MediaInfo.newBuilder().setUrl("https://x/a.jpg")
                        .setWidth(640).setHeight(480)).build()));
        assertEquals("[file r.pdf, 51 KB] https://x/r.pdf", ChatContent.describe(MessageContent.newBuilder()
                .setType(MessageType.FILE).setMedia(MediaInfo.newBuilder().setUrl("https://x/r.pdf")
                        .setFileName("r.pdf").setSizeBytes(52_000)).build()));
        assertEquals("[audio 4.2 s] https://x/v.ogg", ChatContent.describe(MessageContent.newBuilder()
                .setType(MessageType.AUDIO).setMedia(MediaInfo.newBuilder().setUrl("https://x/v.ogg")
                        .setDurationMs(4_200)).build()));
        assertEquals("[location Eiffel Tower 48.8584,2.2945]", ChatContent.describe(MessageContent.newBuilder()
                .setType(MessageType.LOCATION).setLocation(Location.newBuilder().setName("Eiffel Tower")
                        .setLatitude(48.8584).setLongitude(2.2945)).build()));
        assertEquals("[com.example.poll, 2 bytes] a poll", ChatContent.describe(MessageContent.newBuilder()
                .setType(MessageType.CUSTOM).setCustomType("com.example.poll").setCustom(ByteString.copyFromUtf8("{}"))
                .setText("a poll").build()));
    }
}
