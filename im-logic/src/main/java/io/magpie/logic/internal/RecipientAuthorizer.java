package io.magpie.logic.internal;

import io.magpie.das.Relations.DirectPair;
import io.magpie.das.Relations.DirectRefusal;
import io.magpie.protocol.ErrorCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Step 5b': may this one-to-one send go ahead? The target account exists, has not blocked the sender
 * ({@link ErrorCode#BLOCKED}), and, when it takes one-to-one messages from friends only, has the sender
 * as a friend ({@link ErrorCode#NOT_FRIEND}; this applies to conversations that exist already too). A
 * message to oneself is always allowed. Blocks and policies are read fresh for every batch, in ONE
 * query for all its one-to-one pairs ({@link #pairsOf}) that goes with the batch's dedupe
 * ({@link io.magpie.das.MessageStore#lookup}) and is handed to {@link #prepare}, so a block or a policy
 * change applies from the next batch on; nothing about them is cached. Accounts are never deleted, so a positive existence
 * answer is cached (bounded, least recently used out); a negative one is asked again next time, since
 * the account may be created meanwhile. Not thread-safe: used by the upstream consumer's thread.
 */
public final class RecipientAuthorizer {

    private final AccountLookup accounts;
    private final Map<Long, Boolean> known;
    private final Set<DirectPair> prepared = new HashSet<>();
    private final Map<DirectPair, DirectRefusal> refused = new HashMap<>();

    public RecipientAuthorizer(AccountLookup accounts, int cacheSize) {
        this.accounts = accounts;
        this.known = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > cacheSize;
            }
        };
    }

    /** The one-to-one sender/recipient pairs of {@code sends} whose blocks and policies {@link #check} needs. */
    public static Set<DirectPair> pairsOf(Iterable<SendCommand> sends) {
        Set<DirectPair> pairs = new LinkedHashSet<>();
        for (SendCommand c : sends) {
            if (!c.isGroup() && c.peerUid() != c.senderUid()) {
                pairs.add(new DirectPair(c.senderUid(), c.peerUid()));
            }
        }
        return pairs;
    }

    /**
     * Takes the blocks and policies read for a batch ({@link io.magpie.das.Relations#directRefusals} of
     * {@code pairs}, read with the batch's dedupe lookup) for the {@link #check}s that follow; forgets those of the
     * previous batch.
     *
     * @param pairs    the pairs that were read, {@link #pairsOf} the batch's sends
     * @param refusals the refused ones among them
     */
    public void prepare(Set<DirectPair> pairs, Map<DirectPair, DirectRefusal> refusals) {
        prepared.clear();
        refused.clear();
        prepared.addAll(pairs);
        refused.putAll(refusals);
    }

    /**
     * @return the refusal to send back, or empty when the send may go ahead
     * @throws io.magpie.registry.StorageException when MySQL could not answer (the batch is retried)
     * @throws IllegalStateException when {@code c}'s pair was not among those given to the last {@link #prepare}
     */
    public Optional<Rejection> check(SendCommand c) {
        long target = c.peerUid();
        if (!exists(target)) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.NOT_FOUND,
                    "user " + target + " does not exist; the message was not sent"));
        }
        if (target == c.senderUid()) {
            return Optional.empty();
        }
        DirectPair pair = new DirectPair(c.senderUid(), target);
        if (!prepared.contains(pair)) {
            throw new IllegalStateException("[conversation " + c.conversationId() + "] the send of uid "
                    + c.senderUid() + " to uid " + target + " was not prepared: its pair must be among those"
                    + " given to prepare(pairs, refusals) before check");
        }
        DirectRefusal refusal = refused.get(pair);
        if (refusal == DirectRefusal.BLOCKED) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.BLOCKED, "user " + target
                    + " blocked you; the message was not sent"));
        }
        if (refusal == DirectRefusal.NOT_FRIEND) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.NOT_FRIEND, "user " + target
                    + " takes one-to-one messages from friends only; the message was not sent: send a friend"
                    + " request first (POST /v1/friends/requests)"));
        }
        return Optional.empty();
    }

    private boolean exists(long target) {
        if (known.containsKey(target)) {
            known.get(target); // touch: keep it as recently used
            return true;
        }
        if (accounts.exists(target)) {
            known.put(target, Boolean.TRUE);
            return true;
        }
        return false;
    }
}
