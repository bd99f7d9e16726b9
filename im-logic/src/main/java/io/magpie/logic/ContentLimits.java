package io.magpie.logic;

/**
 * Limits of a SEND's content per message type (docs/PROTOCOL.md §7.3; YAML {@code logic.content.*}), validated
 * once at construction: a value out of range fails naming its key, the bounds and the value. Text lengths count
 * Unicode code points. Byte sizes bound what {@code media.size_bytes} may declare (the media lives in a store,
 * not in the message). Immutable.
 *
 * @param maxTextChars     TEXT's {@code text}; 1-100,000, default 5,000
 * @param maxCaptionChars  the caption ({@code text}) of IMAGE, FILE, AUDIO, VIDEO, LOCATION and CUSTOM; 0-10,000,
 *                         default 1,000
 * @param maxEmojiChars    EMOJI's {@code text} (an emoji sequence or a sticker code); 1-256, default 64
 * @param maxUrlChars      {@code media.url} and {@code media.thumbnail_url}; 16-8,192, default 2,048
 * @param maxImageBytes    IMAGE's declared size; 1 B-1 GiB, default 20 MiB
 * @param maxFileBytes     FILE's declared size; 1 B-64 GiB, default 2 GiB
 * @param maxAudioBytes    AUDIO's declared size; 1 B-1 GiB, default 50 MiB
 * @param maxVideoBytes    VIDEO's declared size; 1 B-64 GiB, default 1 GiB
 * @param maxDurationMs    AUDIO's and VIDEO's {@code duration_ms}; 1 ms-24 h, default 3 h
 * @param maxImageSide     IMAGE's (and a video's) {@code width} and {@code height} in pixels; 1-100,000, default 30,000
 * @param maxCustomBytes   CUSTOM's {@code custom} payload; 0-60 KiB, default 8 KiB
 */
public record ContentLimits(int maxTextChars, int maxCaptionChars, int maxEmojiChars, int maxUrlChars,
        long maxImageBytes, long maxFileBytes, long maxAudioBytes, long maxVideoBytes, int maxDurationMs,
        int maxImageSide, int maxCustomBytes) {

    private static final long MIB = 1024L * 1024;
    private static final ContentLimits DEFAULTS = new ContentLimits(5_000, 1_000, 64, 2_048, 20 * MIB,
            2048 * MIB, 50 * MIB, 1024 * MIB, 3 * 3_600_000, 30_000, 8 * 1024);

    public ContentLimits {
        range("logic.content.max-text-chars", maxTextChars, 1, 100_000);
        range("logic.content.max-caption-chars", maxCaptionChars, 0, 10_000);
        range("logic.content.max-emoji-chars", maxEmojiChars, 1, 256);
        range("logic.content.max-url-chars", maxUrlChars, 16, 8_192);
        range("logic.content.max-image-bytes", maxImageBytes, 1, 1024 * MIB);
        range("logic.content.max-file-bytes", maxFileBytes, 1, 64 * 1024 * MIB);
        range("logic.content.max-audio-bytes", maxAudioBytes, 1, 1024 * MIB);
        range("logic.content.max-video-bytes", maxVideoBytes, 1, 64 * 1024 * MIB);
        range("logic.content.max-duration", maxDurationMs, 1, 24 * 3_600_000);
        range("logic.content.max-image-side", maxImageSide, 1, 100_000);
        range("logic.content.max-custom-bytes", maxCustomBytes, 0, 60 * 1024);
    }

    /** Every limit at its default. */
    public static ContentLimits defaults() {
        return DEFAULTS;
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
