package io.magpie.logic;

import java.time.Duration;

/**
 * How a stored message may change after it was sent (docs/PROTOCOL.md §9.21, §9.22; YAML {@code logic.edit-window},
 * {@code logic.max-reaction-emoji}), validated once at construction. Immutable.
 *
 * @param editWindow       how long after sending the sender may EDIT their message; 0 = never; 0-7 days, default
 *                         15 minutes
 * @param maxReactionEmoji how many distinct emoji one message may carry as reactions; 1-100, default 20
 */
public record MessageChangeSettings(Duration editWindow, int maxReactionEmoji) {

    public static final MessageChangeSettings DEFAULTS = new MessageChangeSettings(Duration.ofMinutes(15), 20);

    public MessageChangeSettings {
        if (editWindow == null || editWindow.isNegative() || editWindow.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("logic.edit-window must be between 0 (no edits) and 7d, got "
                    + editWindow);
        }
        if (maxReactionEmoji < 1 || maxReactionEmoji > 100) {
            throw new IllegalArgumentException("logic.max-reaction-emoji must be between 1 and 100, got "
                    + maxReactionEmoji);
        }
    }
}
