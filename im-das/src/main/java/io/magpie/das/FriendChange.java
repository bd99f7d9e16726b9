package io.magpie.das;

/**
 * One row of an owner's friend list as version sync returns it: a friend, or a removed one
 * ({@code removed}). Immutable.
 *
 * @param friendUid the friend
 * @param removed   the friendship ended (the row stays so that the removal syncs)
 * @param version   owner-scoped version of the row's last change
 * @param since     ms since the epoch: when the friendship began (creation of the row)
 * @param updatedAt ms since the epoch: the last change
 */
public record FriendChange(long friendUid, boolean removed, long version, long since, long updatedAt) {
}
