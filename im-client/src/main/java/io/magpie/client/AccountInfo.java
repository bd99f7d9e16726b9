package io.magpie.client;

/**
 * The public profile of an account, as the account API returns it.
 *
 * @param uid      the user id messages are addressed to
 * @param username the unique login name
 * @param nickname the display name
 */
public record AccountInfo(long uid, String username, String nickname) {
}
