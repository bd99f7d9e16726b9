package io.magpie.client;

/**
 * A message that was recalled (docs/PROTOCOL.md §9.10): the app should replace what it shows for
 * {@code (conversationId, seq)} with "message recalled". Immutable.
 *
 * @param conversationId the conversation
 * @param seq            the recalled message's seq
 * @param msgId          its server-wide id (0 when the client learned of the recall without it)
 * @param recalledBy     who recalled it (the sender, or a group owner/admin); 0 when unknown (learned from a SYNC
 *                       or a catch-up PULL after a reconnect)
 * @param version        the message's new version (0 when unknown)
 * @param senderUid      who had sent it; 0 when unknown
 */
public record RecalledMessage(String conversationId, long seq, long msgId, long recalledBy, long version,
                              long senderUid) {
}
