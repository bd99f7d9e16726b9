package io.magpie.hooks;

import java.util.Locale;

/** The kinds of after-the-fact events an after-send hook receives ({@code hooks.after-send.events}). */
public enum HookEvent {
    /** A user's message was stored (event {@code message.stored}). */
    MESSAGE("message.stored"),
    /** A group changed: a SYSTEM message of the group records it (event {@code group.changed}). */
    GROUP("group.changed"),
    /** A friend request was sent, accepted, rejected or withdrawn, or a friendship ended (event {@code friend.changed}). */
    FRIEND("friend.changed");

    private final String wireName;

    HookEvent(String wireName) {
        this.wireName = wireName;
    }

    /** The event's name in the JSON payload. */
    public String wireName() {
        return wireName;
    }

    /** {@code message}, {@code group} or {@code friend} (the setting's spelling). */
    public static HookEvent parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "message" -> MESSAGE;
            case "group" -> GROUP;
            case "friend" -> FRIEND;
            default -> throw new IllegalArgumentException("hooks.after-send.events entries must be message, group or"
                    + " friend, got '" + s + "'");
        };
    }
}
