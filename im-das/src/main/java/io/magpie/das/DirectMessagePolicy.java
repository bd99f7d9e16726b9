package io.magpie.das;

/**
 * Who may send a user one-to-one messages ({@code account.dm_policy}); {@link #code()} is the stored value.
 */
public enum DirectMessagePolicy {
    /** Anyone who is not blocked (the default). */
    ANYONE(0),
    /** Only the user's current friends. */
    FRIENDS(1);

    private final int code;

    DirectMessagePolicy(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static DirectMessagePolicy of(int code) {
        for (DirectMessagePolicy p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        throw new IllegalArgumentException("account.dm_policy " + code + " is not 0 (ANYONE) or 1 (FRIENDS)");
    }
}
