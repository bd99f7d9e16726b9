package io.magpie.server;

import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.MessageContent;
import java.util.Locale;

/** How {@code magpie chat} prints a message's content: the text, or a one-line summary of its type's fields. */
final class ChatContent {

    private ChatContent() {
    }

    static String describe(MessageContent c) {
        MediaInfo m = c.getMedia();
        String caption = c.getText().isEmpty() ? "" : " " + c.getText();
        return switch (c.getType()) {
            case TEXT, EMOJI -> c.getText();
            case IMAGE -> "[image " + m.getWidth() + "x" + m.getHeight() + "] " + m.getUrl() + caption;
            case FILE -> "[file " + m.getFileName() + ", " + size(m.getSizeBytes()) + "] " + m.getUrl() + caption;
            case AUDIO -> "[audio " + seconds(m.getDurationMs()) + "] " + m.getUrl() + caption;
            case VIDEO -> "[video " + seconds(m.getDurationMs()) + "] " + m.getUrl() + caption;
            case LOCATION -> "[location" + (c.getLocation().getName().isEmpty() ? "" : " " + c.getLocation().getName())
                    + " " + c.getLocation().getLatitude() + "," + c.getLocation().getLongitude() + "]" + caption;
            case CUSTOM -> "[" + c.getCustomType() + ", " + c.getCustom().size() + " bytes]" + caption;
            default -> c.getText();
        };
    }

    private static String size(long bytes) {
        return bytes < 1024 ? bytes + " B" : bytes < 1024 * 1024 ? (bytes + 512) / 1024 + " KB"
                : String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }

    private static String seconds(int ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
