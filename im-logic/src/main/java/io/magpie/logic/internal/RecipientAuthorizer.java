package io.magpie.logic.internal;

import io.magpie.protocol.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Step 5b': may this one-to-one send go ahead? For now: the target account exists. Accounts are
 * never deleted, so a positive answer is cached (bounded, least recently used out); a negative one
 * is asked again next time, since the account may be created meanwhile. Not thread-safe: used by
 * the upstream consumer's thread.
 */
public final class RecipientAuthorizer {

    private final AccountLookup accounts;
    private final Map<Long, Boolean> known;

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

    /**
     * @return the refusal to send back, or empty when the send may go ahead
     * @throws io.magpie.registry.StorageException when MySQL could not answer (the batch is retried)
     */
    public Optional<Rejection> check(SendCommand c) {
        long target = c.peerUid();
        if (known.containsKey(target)) {
            known.get(target); // touch: keep it as recently used
            return Optional.empty();
        }
        if (accounts.exists(target)) {
            known.put(target, Boolean.TRUE);
            return Optional.empty();
        }
        return Optional.of(new Rejection(c.envelope(), ErrorCode.NOT_FOUND,
                "user " + target + " does not exist; the message was not sent"));
    }
}
