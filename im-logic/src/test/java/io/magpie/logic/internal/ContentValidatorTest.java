package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.logic.ContentLimits;
import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.Location;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ContentValidatorTest {

    private static final ContentValidator VALIDATOR = new ContentValidator(ContentLimits.defaults());

    static final MediaInfo IMAGE_MEDIA = MediaInfo.newBuilder().setUrl("https://cdn.example/a.jpg")
            .setMimeType("image/jpeg").setSizeBytes(120_000).setWidth(1280).setHeight(960)
            .setThumbnailUrl("https://cdn.example/a.thumb.jpg").build();

    /** One valid content per type. */
    static final Map<MessageType, MessageContent> VALID = Map.of(
            MessageType.TEXT, MessageContent.newBuilder().setType(MessageType.TEXT).setText("hello").build(),
            MessageType.EMOJI, MessageContent.newBuilder().setType(MessageType.EMOJI).setText("\uD83D\uDC4D").build(),
            MessageType.IMAGE, MessageContent.newBuilder().setType(MessageType.IMAGE).setText("our cat")
                    .setMedia(IMAGE_MEDIA).build(),
            MessageType.FILE, MessageContent.newBuilder().setType(MessageType.FILE).setMedia(MediaInfo.newBuilder()
                    .setUrl("/v1/media/123").setFileName("report.pdf").setSizeBytes(52_000)
                    .setMimeType("application/pdf")).build(),
            MessageType.AUDIO, MessageContent.newBuilder().setType(MessageType.AUDIO).setMedia(MediaInfo.newBuilder()
                    .setUrl("https://cdn.example/v.ogg").setDurationMs(4_200).setMimeType("audio/ogg")).build(),
            MessageType.VIDEO, MessageContent.newBuilder().setType(MessageType.VIDEO).setMedia(MediaInfo.newBuilder()
                    .setUrl("https://cdn.example/v.mp4").setDurationMs(12_000).setSizeBytes(3_000_000)
                    .setThumbnailUrl("https://cdn.example/v.jpg").setMimeType("video/mp4")).build(),
            MessageType.LOCATION, MessageContent.newBuilder().setType(MessageType.LOCATION).setLocation(
                    Location.newBuilder().setLatitude(48.8584).setLongitude(2.2945).setName("Eiffel Tower")).build(),
            MessageType.CUSTOM, MessageContent.newBuilder().setType(MessageType.CUSTOM).setCustomType("com.example.poll")
                    .setCustom(ByteString.copyFromUtf8("{\"q\":\"lunch?\"}")).setText("a poll").build());

    static Stream<MessageContent> valid() {
        return VALID.values().stream();
    }

    @ParameterizedTest
    @MethodSource("valid")
    void eachTypesDefinedContentIsAccepted(MessageContent c) {
        assertNull(VALIDATOR.problem(c), c.toString());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad(MessageType.TEXT, c -> c.setText(""), "content.text of TEXT must be 1-5000"),
                bad(MessageType.TEXT, c -> c.setText(" \n "), "must not be only white space"),
                bad(MessageType.TEXT, c -> c.setText("x".repeat(5001)), "got 5001"),
                bad(MessageType.TEXT, c -> c.setMedia(IMAGE_MEDIA), "content.media is not a field of TEXT"),
                bad(MessageType.TEXT, c -> c.setCustomType("x"), "fields of CUSTOM only"),
                bad(MessageType.TEXT, c -> c.setGroupEvent(GroupEvent.getDefaultInstance()), "group_event"),
                bad(MessageType.TEXT, c -> c.setSystemNotice(io.magpie.protocol.proto.SystemNotice.newBuilder()
                        .setText("x")), "content.system_notice is written by the server only"),
                bad(MessageType.EMOJI, c -> c.setText("x".repeat(65)), "content.text of EMOJI must be 1-64"),
                bad(MessageType.EMOJI, c -> c.setMedia(MediaInfo.newBuilder().setUrl("ftp://x/y")),
                        "content.media.url must be an http:// or https:// URL"),
                bad(MessageType.IMAGE, c -> c.clearMedia(), "content.media is required for IMAGE"),
                bad(MessageType.IMAGE, c -> c.setMedia(IMAGE_MEDIA.toBuilder().setWidth(0)), "content.media.width"),
                bad(MessageType.IMAGE, c -> c.setMedia(IMAGE_MEDIA.toBuilder().setHeight(30_001)),
                        "content.media.height must be 1-30000"),
                bad(MessageType.IMAGE, c -> c.setMedia(IMAGE_MEDIA.toBuilder().setMimeType("video/mp4")),
                        "content.media.mime_type of IMAGE must be image/"),
                bad(MessageType.IMAGE, c -> c.setMedia(IMAGE_MEDIA.toBuilder().setSizeBytes(21L << 20)),
                        "content.media.size_bytes must be 1-20971520 for IMAGE"),
                bad(MessageType.IMAGE, c -> c.setMedia(IMAGE_MEDIA.toBuilder().setUrl("")), "content.media.url is required"),
                bad(MessageType.IMAGE, c -> c.setMedia(IMAGE_MEDIA.toBuilder().setUrl("https://x/a b.jpg")),
                        "spaces or control characters"),
                bad(MessageType.IMAGE, c -> c.setText("x".repeat(1001)), "content.text (the caption) of IMAGE"),
                bad(MessageType.FILE, c -> c.setMedia(c.getMedia().toBuilder().clearFileName()),
                        "content.media.file_name is required for FILE"),
                bad(MessageType.FILE, c -> c.setMedia(c.getMedia().toBuilder().setFileName("../etc/passwd")),
                        "without a path"),
                bad(MessageType.FILE, c -> c.setMedia(c.getMedia().toBuilder().clearMimeType()),
                        "content.media.mime_type is required for FILE"),
                bad(MessageType.FILE, c -> c.setMedia(c.getMedia().toBuilder().setMimeType("pdf")),
                        "must be a media type"),
                bad(MessageType.AUDIO, c -> c.setMedia(c.getMedia().toBuilder().clearDurationMs()),
                        "content.media.duration_ms is required for AUDIO"),
                bad(MessageType.AUDIO, c -> c.setMedia(c.getMedia().toBuilder().setSizeBytes(-1)),
                        "content.media.size_bytes must be 0 (unknown)"),
                bad(MessageType.VIDEO, c -> c.setMedia(c.getMedia().toBuilder().clearThumbnailUrl()),
                        "content.media.thumbnail_url is required"),
                bad(MessageType.VIDEO, c -> c.setMedia(c.getMedia().toBuilder().setDurationMs(24 * 3_600_000)),
                        "content.media.duration_ms is required for VIDEO: 1-10800000"),
                bad(MessageType.LOCATION, c -> c.clearLocation(), "content.location is required for LOCATION"),
                bad(MessageType.LOCATION, c -> c.setLocation(c.getLocation().toBuilder().setLatitude(91)),
                        "content.location.latitude"),
                bad(MessageType.LOCATION, c -> c.setLocation(c.getLocation().toBuilder().setLongitude(Double.NaN)),
                        "content.location.longitude"),
                bad(MessageType.LOCATION, c -> c.setLocation(c.getLocation().toBuilder().setName("a\u0000b")),
                        "content.location.name must not contain control characters"),
                bad(MessageType.CUSTOM, c -> c.clearCustomType(), "content.custom_type is required for CUSTOM"),
                bad(MessageType.CUSTOM, c -> c.setCustomType("-poll"), "content.custom_type is required"),
                bad(MessageType.CUSTOM, c -> c.setCustom(ByteString.copyFrom(new byte[8193])),
                        "content.custom must be at most 8192 bytes"),
                bad(MessageType.CUSTOM, c -> c.setMedia(IMAGE_MEDIA), "content.media is not a field of CUSTOM"),
                bad(MessageType.SYSTEM, c -> c, "content.type must be one of"),
                Arguments.of(MessageContent.newBuilder().setTypeValue(77).setText("x").build(), "number 77"),
                Arguments.of(MessageContent.newBuilder().setText("x").build(), "MESSAGE_TYPE_UNSPECIFIED"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedContentIsRefusedNamingTheField(MessageContent c, String expected) {
        String problem = VALIDATOR.problem(c);
        assertNotNull(problem, "accepted: " + c);
        assertTrue(problem.contains(expected), problem);
    }

    private static Arguments bad(MessageType type, UnaryOperator<MessageContent.Builder> change, String expected) {
        MessageContent base = VALID.getOrDefault(type, MessageContent.newBuilder().setType(type).build());
        return Arguments.of(change.apply(base.toBuilder()).build(), expected);
    }
}
