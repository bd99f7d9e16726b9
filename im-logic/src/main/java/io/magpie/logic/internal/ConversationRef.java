package io.magpie.logic.internal;

import io.magpie.protocol.ConversationIds;
import java.util.Optional;

/**
 * A conversation id a client named (in a PULL or an HTTP path), parsed and checked to be one the
 * server issues: {@code s_<a>_<b>} with {@code 0 < a < b}, or {@code g_<groupId>} with a positive id.
 * Immutable.
 */
public sealed interface ConversationRef permits ConversationRef.Single, ConversationRef.Group {

    /** {@link Long#MAX_VALUE}: longer digit strings cannot be ids. */
    String MAX_DIGITS = Long.toString(Long.MAX_VALUE);

    String id();

    /** A one-to-one conversation between {@code lowUid < highUid}. */
    record Single(String id, long lowUid, long highUid) implements ConversationRef {

        public boolean hasMember(long uid) {
            return uid == lowUid || uid == highUid;
        }

        /** The other member, seen from {@code self} (who must be a member). */
        public long peerOf(long self) {
            return self == lowUid ? highUid : lowUid;
        }
    }

    record Group(String id, long groupId) implements ConversationRef {
    }

    /** Empty if {@code id} is not a conversation id the server could have issued. */
    static Optional<ConversationRef> parse(String id) {
        if (id == null) {
            return Optional.empty();
        }
        if (id.startsWith("g_")) {
            long gid = positive(id.substring(2));
            return gid > 0 && ConversationIds.group(gid).equals(id) ? Optional.of(new Group(id, gid)) : Optional.empty();
        }
        if (id.startsWith("s_")) {
            int sep = id.indexOf('_', 2);
            if (sep < 0) {
                return Optional.empty();
            }
            long a = positive(id.substring(2, sep));
            long b = positive(id.substring(sep + 1));
            // the canonical form only: a client naming s_9_3 or s_03_9 means no conversation we store
            if (a > 0 && b > a && ConversationIds.single(a, b).equals(id)) {
                return Optional.of(new Single(id, a, b));
            }
        }
        return Optional.empty();
    }

    /** The id, or -1 when {@code digits} is not a positive decimal number. */
    private static long positive(String digits) {
        if (digits.isEmpty() || digits.length() > MAX_DIGITS.length()
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || digits.length() == MAX_DIGITS.length() && digits.compareTo(MAX_DIGITS) > 0) {
            return -1; // not a number, or above Long.MAX_VALUE: not an id we issue
        }
        return Long.parseLong(digits);
    }
}
