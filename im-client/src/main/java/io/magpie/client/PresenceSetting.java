package io.magpie.client;

/**
 * The caller's own presence settings ({@code GET/PUT /v1/me/presence}, docs/PROTOCOL.md §9.14).
 *
 * @param statusText     "" = none; at most 100 code points
 * @param hidden         presence hidden from everyone (reads as offline without last seen)
 * @param lastSeenMillis when the user's last device went offline, ms since the epoch; 0 = never recorded
 */
public record PresenceSetting(String statusText, boolean hidden, long lastSeenMillis) {
}
