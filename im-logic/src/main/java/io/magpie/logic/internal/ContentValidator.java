package io.magpie.logic.internal;

import io.magpie.logic.ContentLimits;
import io.magpie.protocol.proto.Location;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.ReplyRef;
import java.util.regex.Pattern;

/**
 * Checks a SEND's {@link MessageContent} against its type's definition (docs/PROTOCOL.md §7.3): the fields the
 * type requires are there and within {@link ContentLimits}, and no field of another type is set. Returns the
 * first problem as a sentence naming the field, the rule and the value, or null when the content is valid.
 * Fields this release does not know are not looked at (they are stored and delivered as sent). Stateless,
 * thread-safe.
 */
public final class ContentValidator {

    /** Most distinct uids one message mentions. */
    public static final int MAX_MENTIONED_UIDS = 50;
    /** Longest {@code custom_type}. */
    static final int MAX_CUSTOM_TYPE_CHARS = 64;
    /** Longest {@code media.file_name}, in code points (most file systems' limit). */
    static final int MAX_FILE_NAME_CHARS = 255;
    /** Longest {@code location.name}; {@code location.address} may be twice that. */
    static final int MAX_PLACE_NAME_CHARS = 256;
    private static final Pattern CUSTOM_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]*");
    private static final Pattern MIME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*"
            + "(\\s*;.*)?");
    /** Where Magpie's own media API serves an upload: a reference relative to the account API's base URL. */
    private static final String OWN_MEDIA_PATH = "/v1/media/";

    private final ContentLimits limits;

    public ContentValidator(ContentLimits limits) {
        this.limits = limits;
    }

    /** @return what is wrong with {@code c}, or null when it may be sent */
    public String problem(MessageContent c) {
        String typed = typed(c);
        return typed != null ? typed : firstOf(reply(c), mentions(c));
    }

    /**
     * The shape of a reply reference (whether the quoted message exists is checked against storage later): a
     * seq of 1 or more and, when the client names them, a positive msg id and sender.
     */
    private static String reply(MessageContent c) {
        if (!c.hasReplyTo()) {
            return null;
        }
        ReplyRef r = c.getReplyTo();
        if (r.getSeq() < 1) {
            return "content.reply_to.seq must be the seq (1 or more) of the message you reply to, got " + r.getSeq();
        }
        if (r.getMsgId() < 0 || r.getSenderUid() < 0) {
            return "content.reply_to.msg_id and sender_uid must be 0 (filled in by the server) or the quoted"
                    + " message's, got " + r.getMsgId() + " and " + r.getSenderUid();
        }
        return null;
    }

    /** Mentioned uids are positive and at most {@value #MAX_MENTIONED_UIDS} distinct. */
    private static String mentions(MessageContent c) {
        if (c.getMentionedUidsCount() == 0) {
            return null;
        }
        java.util.Set<Long> distinct = new java.util.HashSet<>();
        for (long uid : c.getMentionedUidsList()) {
            if (uid <= 0) {
                return "content.mentioned_uids must hold positive uids, got " + uid;
            }
            distinct.add(uid);
        }
        if (distinct.size() > MAX_MENTIONED_UIDS) {
            return "content.mentioned_uids holds at most " + MAX_MENTIONED_UIDS + " distinct uids, got "
                    + distinct.size() + "; mention everyone with mention_all instead";
        }
        return null;
    }

    private String typed(MessageContent c) {
        MessageType type = c.getType();
        return switch (type) {
            case TEXT -> firstOf(
                    onlyFields(c, type, false, false, false),
                    text("content.text", c.getText(), 1, limits.maxTextChars(), "logic.content.max-text-chars", type),
                    c.getText().isBlank() ? "content.text of a TEXT message must not be only white space" : null);
            case EMOJI -> firstOf(
                    onlyFields(c, type, true, false, false),
                    text("content.text", c.getText(), 1, limits.maxEmojiChars(), "logic.content.max-emoji-chars", type),
                    c.hasMedia() ? sticker(c.getMedia()) : null);
            case IMAGE -> firstOf(
                    onlyFields(c, type, true, false, false),
                    caption(c),
                    requireMedia(c, type),
                    c.hasMedia() ? image(c.getMedia()) : null);
            case FILE -> firstOf(
                    onlyFields(c, type, true, false, false),
                    caption(c),
                    requireMedia(c, type),
                    c.hasMedia() ? file(c.getMedia()) : null);
            case AUDIO -> firstOf(
                    onlyFields(c, type, true, false, false),
                    caption(c),
                    requireMedia(c, type),
                    c.hasMedia() ? audio(c.getMedia()) : null);
            case VIDEO -> firstOf(
                    onlyFields(c, type, true, false, false),
                    caption(c),
                    requireMedia(c, type),
                    c.hasMedia() ? video(c.getMedia()) : null);
            case LOCATION -> firstOf(
                    onlyFields(c, type, false, true, false),
                    caption(c),
                    c.hasLocation() ? location(c.getLocation()) : "content.location is required for LOCATION");
            case CUSTOM -> firstOf(
                    onlyFields(c, type, false, false, true),
                    caption(c),
                    customType(c.getCustomType()),
                    c.getCustom().size() > limits.maxCustomBytes() ? "content.custom must be at most "
                            + limits.maxCustomBytes() + " bytes (logic.content.max-custom-bytes), got "
                            + c.getCustom().size() : null);
            default -> "content.type must be one of TEXT, EMOJI, IMAGE, FILE, AUDIO, VIDEO, LOCATION, CUSTOM, got "
                    + (type == MessageType.UNRECOGNIZED ? "number " + c.getTypeValue() : type.name())
                    + " (SYSTEM messages are written by the server only; change a group with the GROUP command)";
        };
    }

    private static String onlyFields(MessageContent c, MessageType type, boolean media, boolean location,
            boolean custom) {
        if (c.hasGroupEvent()) {
            return "content.group_event is written by the server only; change a group with the GROUP command";
        }
        if (c.hasSystemNotice()) {
            return "content.system_notice is written by the server only (an operator's notice)";
        }
        if (c.hasMedia() && !media) {
            return "content.media is not a field of " + type + "; send media as IMAGE, FILE, AUDIO or VIDEO";
        }
        if (c.hasLocation() && !location) {
            return "content.location is not a field of " + type + "; send a place as LOCATION";
        }
        if (!custom && (!c.getCustom().isEmpty() || !c.getCustomType().isEmpty())) {
            return "content.custom and content.custom_type are fields of CUSTOM only, not of " + type;
        }
        return null;
    }

    private String caption(MessageContent c) {
        return text("content.text (the caption)", c.getText(), 0, limits.maxCaptionChars(),
                "logic.content.max-caption-chars", c.getType());
    }

    private static String requireMedia(MessageContent c, MessageType type) {
        return c.hasMedia() ? null : "content.media is required for " + type;
    }

    private String sticker(MediaInfo m) {
        return firstOf(url("content.media.url", m.getUrl(), true),
                mimeOf(m, "image/", false, MessageType.EMOJI),
                side("content.media.width", m.getWidth(), false),
                side("content.media.height", m.getHeight(), false));
    }

    private String image(MediaInfo m) {
        return firstOf(url("content.media.url", m.getUrl(), true),
                url("content.media.thumbnail_url", m.getThumbnailUrl(), false),
                mimeOf(m, "image/", true, MessageType.IMAGE),
                size(m, limits.maxImageBytes(), "logic.content.max-image-bytes", true, MessageType.IMAGE),
                side("content.media.width", m.getWidth(), true),
                side("content.media.height", m.getHeight(), true),
                m.getDurationMs() != 0 ? "content.media.duration_ms is not a field of IMAGE, got "
                        + m.getDurationMs() : null,
                fileName(m, false));
    }

    private String file(MediaInfo m) {
        return firstOf(url("content.media.url", m.getUrl(), true),
                url("content.media.thumbnail_url", m.getThumbnailUrl(), false),
                fileName(m, true),
                size(m, limits.maxFileBytes(), "logic.content.max-file-bytes", true, MessageType.FILE),
                mimeOf(m, null, true, MessageType.FILE));
    }

    private String audio(MediaInfo m) {
        return firstOf(url("content.media.url", m.getUrl(), true),
                duration(m, MessageType.AUDIO),
                size(m, limits.maxAudioBytes(), "logic.content.max-audio-bytes", false, MessageType.AUDIO),
                mimeOf(m, "audio/", false, MessageType.AUDIO),
                fileName(m, false));
    }

    private String video(MediaInfo m) {
        return firstOf(url("content.media.url", m.getUrl(), true),
                url("content.media.thumbnail_url", m.getThumbnailUrl(), true),
                duration(m, MessageType.VIDEO),
                size(m, limits.maxVideoBytes(), "logic.content.max-video-bytes", true, MessageType.VIDEO),
                mimeOf(m, "video/", false, MessageType.VIDEO),
                side("content.media.width", m.getWidth(), false),
                side("content.media.height", m.getHeight(), false),
                fileName(m, false));
    }

    private static String location(Location l) {
        if (!Double.isFinite(l.getLatitude()) || l.getLatitude() < -90 || l.getLatitude() > 90) {
            return "content.location.latitude must be a number of degrees from -90 to 90, got " + l.getLatitude();
        }
        if (!Double.isFinite(l.getLongitude()) || l.getLongitude() < -180 || l.getLongitude() > 180) {
            return "content.location.longitude must be a number of degrees from -180 to 180, got " + l.getLongitude();
        }
        return firstOf(plain("content.location.name", l.getName(), MAX_PLACE_NAME_CHARS),
                plain("content.location.address", l.getAddress(), 2 * MAX_PLACE_NAME_CHARS));
    }

    private static String customType(String t) {
        int n = t.codePointCount(0, t.length());
        if (n < 1 || n > MAX_CUSTOM_TYPE_CHARS || !CUSTOM_TYPE.matcher(t).matches()) {
            return "content.custom_type is required for CUSTOM: 1-" + MAX_CUSTOM_TYPE_CHARS + " characters of"
                    + " A-Z a-z 0-9 . _ : / - starting with a letter or digit (e.g. \"com.example.poll\"), got '"
                    + t + "'";
        }
        return null;
    }

    private String url(String field, String v, boolean required) {
        if (v.isEmpty()) {
            return required ? field + " is required" : null;
        }
        if (v.length() > limits.maxUrlChars()) {
            return field + " must be at most " + limits.maxUrlChars() + " characters (logic.content.max-url-chars),"
                    + " got " + v.length();
        }
        boolean absolute = v.regionMatches(true, 0, "https://", 0, 8) && v.length() > 8
                || v.regionMatches(true, 0, "http://", 0, 7) && v.length() > 7;
        if (!absolute && !v.startsWith(OWN_MEDIA_PATH)) {
            return field + " must be an http:// or https:// URL, or a " + OWN_MEDIA_PATH + "... reference to"
                    + " media uploaded to this server, got '" + abbreviated(v) + "'";
        }
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch <= ' ' || ch == 0x7f) {
                return field + " must not contain spaces or control characters (percent-encode them), found one at"
                        + " index " + i;
            }
        }
        return null;
    }

    private String size(MediaInfo m, long max, String setting, boolean required, MessageType type) {
        long v = m.getSizeBytes();
        if (v < (required ? 1 : 0) || v > max) {
            return "content.media.size_bytes must be " + (required ? "1" : "0 (unknown)") + "-" + max + " for "
                    + type + " (" + setting + "), got " + v;
        }
        return null;
    }

    private String side(String field, int v, boolean required) {
        if (v < (required ? 1 : 0) || v > limits.maxImageSide()) {
            return field + " must be " + (required ? "1" : "0 (unknown)") + "-" + limits.maxImageSide()
                    + " pixels (logic.content.max-image-side), got " + v;
        }
        return null;
    }

    private String duration(MediaInfo m, MessageType type) {
        int v = m.getDurationMs();
        if (v < 1 || v > limits.maxDurationMs()) {
            return "content.media.duration_ms is required for " + type + ": 1-" + limits.maxDurationMs()
                    + " ms (logic.content.max-duration), got " + v;
        }
        return null;
    }

    private static String mimeOf(MediaInfo m, String prefix, boolean required, MessageType type) {
        String v = m.getMimeType();
        if (v.isEmpty()) {
            return required ? "content.media.mime_type is required for " + type
                    + (prefix == null ? " (e.g. application/pdf)" : " (" + prefix + "...)") : null;
        }
        if (v.length() > 255 || !MIME.matcher(v).matches()) {
            return "content.media.mime_type must be a media type such as image/jpeg, got '" + abbreviated(v) + "'";
        }
        if (prefix != null && !v.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return "content.media.mime_type of " + type + " must be " + prefix + "..., got '" + v + "'";
        }
        return null;
    }

    private static String fileName(MediaInfo m, boolean required) {
        String v = m.getFileName();
        if (v.isEmpty()) {
            return required ? "content.media.file_name is required for FILE" : null;
        }
        String plain = plain("content.media.file_name", v, MAX_FILE_NAME_CHARS);
        if (plain != null) {
            return plain;
        }
        if (v.indexOf('/') >= 0 || v.indexOf('\\') >= 0) {
            return "content.media.file_name must be a name without a path (no / or \\), got '" + abbreviated(v) + "'";
        }
        return null;
    }

    private static String text(String field, String v, int min, int max, String setting, MessageType type) {
        int n = v.codePointCount(0, v.length());
        if (n < min || n > max) {
            return field + " of " + type + " must be " + min + "-" + max + " Unicode code points (" + setting
                    + "), got " + n;
        }
        return null;
    }

    /** At most {@code max} code points and no control characters. */
    private static String plain(String field, String v, int max) {
        int n = v.codePointCount(0, v.length());
        if (n > max) {
            return field + " must be at most " + max + " Unicode code points, got " + n;
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                return field + " must not contain control characters, found U+"
                        + String.format("%04X", (int) v.charAt(i)) + " at index " + i;
            }
        }
        return null;
    }

    private static String abbreviated(String v) {
        return v.length() <= 80 ? v : v.substring(0, 80) + "...";
    }

    private static String firstOf(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }
}
