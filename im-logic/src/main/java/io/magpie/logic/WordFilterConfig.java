package io.magpie.logic;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The sensitive-word filter of SENDs (docs/PROTOCOL.md §9.3; YAML {@code logic.word-filter.*}), validated once at
 * construction. Immutable.
 *
 * @param file           the word list: UTF-8, one word or phrase per line, matched case-insensitively anywhere in
 *                       a message's {@code content.text}; blank lines and lines starting with {@code #} are
 *                       ignored; null = no filter (the default)
 * @param action         what a match does: {@link Action#REJECT} (default) or {@link Action#MASK}
 * @param reloadInterval how often the file's modification time and size are checked; a change is loaded without
 *                       a restart; 1 s-1 h, default 10 s
 */
public record WordFilterConfig(Path file, Action action, Duration reloadInterval) {

    /** What a message containing a listed word gets. */
    public enum Action {
        /** Refused with ERROR {@code CONTENT_REJECTED}; nothing is stored. */
        REJECT,
        /** Stored and delivered with each matched character replaced by {@code *}; SEND_ACK carries the result. */
        MASK
    }

    public static final WordFilterConfig DISABLED = new WordFilterConfig(null, Action.REJECT, Duration.ofSeconds(10));

    public WordFilterConfig {
        if (action == null) {
            throw new IllegalArgumentException("logic.word-filter.action must be reject or mask");
        }
        if (reloadInterval == null || reloadInterval.compareTo(Duration.ofSeconds(1)) < 0
                || reloadInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("logic.word-filter.reload-interval must be between 1 s and 1 h, got "
                    + reloadInterval);
        }
    }

    public boolean enabled() {
        return file != null;
    }
}
