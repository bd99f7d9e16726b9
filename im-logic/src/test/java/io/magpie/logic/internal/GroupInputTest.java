package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupInputTest {

    @Test
    void aNameIsStrippedAndOneToSixtyFourCharacters() throws Exception {
        assertEquals("Team", GroupInput.name("  Team "));
        assertEquals("x".repeat(64), GroupInput.name("x".repeat(64)));
        assertEquals("😀".repeat(64), GroupInput.name("😀".repeat(64)), "64 characters, not 64 chars");
        for (String bad : Arrays.asList(null, "", "   ", "x".repeat(65), "a\nb")) {
            ApiException e = assertThrows(ApiException.class, () -> GroupInput.name(bad));
            assertTrue(e.getMessage().contains("name must be 1-64 characters"), e.getMessage());
        }
    }

    @Test
    void membersAreDistinctWithTheCallerFirstAndWithinTheLimit() throws Exception {
        assertEquals(List.of(1L, 3L, 2L), List.copyOf(GroupInput.uids("members", List.of(3L, 1L, 3L, 2L), 1, 3)));

        ApiException tooMany = assertThrows(ApiException.class,
                () -> GroupInput.uids("members", List.of(2L, 3L, 4L), 1, 3));
        assertTrue(tooMany.getMessage().contains("at most 3 members (logic.max-group-members)"), tooMany.getMessage());
        assertThrows(ApiException.class, () -> GroupInput.uids("members", Arrays.asList(2L, null), 1, 3));
        assertThrows(ApiException.class, () -> GroupInput.uids("members", List.of(-2L), 1, 3));
        assertThrows(ApiException.class, () -> GroupInput.uids("members", null, 1, 3));
    }

    @Test
    void missingUsersAreListed() {
        assertEquals("uid 7 is not a registered user", GroupInput.missing(List.of(7L)));
        assertEquals("uids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more are not registered users",
                GroupInput.missing(List.of(12L, 11L, 10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L)));
    }
}
