package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecipientAuthorizerTest {

    private final Set<Long> accounts = new HashSet<>(Set.of(2L, 3L));
    private final List<Long> asked = new ArrayList<>();
    private final RecipientAuthorizer authorizer = new RecipientAuthorizer(uid -> {
        asked.add(uid);
        return accounts.contains(uid);
    }, 1);

    @Test
    void anExistingTargetIsAllowedAndRememberedAnUnknownOneIsAskedAgain() {
        assertEquals(Optional.empty(), authorizer.check(Sends.command(1, 2, "a")));
        assertEquals(Optional.empty(), authorizer.check(Sends.command(1, 2, "b")));

        Optional<Rejection> refused = authorizer.check(Sends.command(1, 9, "c"));
        assertEquals(ErrorCode.NOT_FOUND, refused.orElseThrow().code());
        assertTrue(refused.get().message().contains("user 9 does not exist"));
        accounts.add(9L); // registered meanwhile
        assertEquals(Optional.empty(), authorizer.check(Sends.command(1, 9, "d")));

        assertEquals(List.of(2L, 9L, 9L), asked);
    }

    @Test
    void theCacheIsBounded() {
        authorizer.check(Sends.command(1, 2, "a"));
        authorizer.check(Sends.command(1, 3, "b")); // evicts 2 (size 1)
        authorizer.check(Sends.command(1, 2, "c"));

        assertEquals(List.of(2L, 3L, 2L), asked);
    }
}
