package io.magpie.das;

import java.util.Objects;

/**
 * One row of table {@code account}.
 *
 * @param uid          from the segment allocator (biz tag {@code uid})
 * @param username     unique, compared case-insensitively, at most 64 characters
 * @param passwordHash self-describing slow salted hash; never the password
 * @param nickname     display name ("" if none)
 * @param createdAt    ms since the epoch
 */
public record Account(long uid, String username, String passwordHash, String nickname, long createdAt) {

    public Account {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(passwordHash, "passwordHash");
        nickname = nickname == null ? "" : nickname;
    }

    /** Never prints the hash. */
    @Override
    public String toString() {
        return "Account[uid=" + uid + ", username=" + username + ", nickname=" + nickname + ", createdAt="
                + createdAt + "]";
    }
}
