package io.magpie.client;

/**
 * Counters of a {@link MagpieClient}'s in-order delivery since it was created (for tests, verifiers
 * and diagnostics). Immutable snapshot.
 *
 * @param delivered            messages handed to the listeners (updates of recalled/deleted ones included)
 * @param duplicatesSuppressed messages received again (resent PUSH, overlapping PULL) and not delivered
 * @param gapsPulled           PULL requests sent to fill a gap or catch up after a sync (pages included)
 * @param pulledMessages       messages that arrived in PULL_ACKs
 */
public record DeliveryStats(long delivered, long duplicatesSuppressed, long gapsPulled, long pulledMessages) {
}
