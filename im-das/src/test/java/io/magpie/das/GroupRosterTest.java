package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GroupRosterTest {

    private final Group group = new Group(7, "g", 1, 3, 20, 0, 1, false, 0, 0, false);

    @Test
    void aMessageIsSeenByTheMembersWhoJoinedAtOrBeforeIt() {
        GroupRoster roster = new GroupRoster(group, new TreeSet<>(Set.of(1L, 2L, 3L)), Map.of(1L, 1L, 2L, 5L, 3L, 12L));

        assertEquals(List.of(1L), List.copyOf(roster.membersAt(4)));
        assertEquals(List.of(1L, 2L), List.copyOf(roster.membersAt(5)), "a member sees the message at its join seq");
        assertEquals(List.of(1L, 2L), List.copyOf(roster.membersAt(11)));
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(roster.membersAt(12)), "everyone, in the roster's order");
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(roster.membersAt(20)));
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(new GroupRoster(group, new TreeSet<>(Set.of(1L, 2L, 3L)))
                .membersAt(1)), "a member with no join seq sees every message");
    }

    @Test
    void theMembersAtASeqCannotBeChangedThroughTheAnswer() {
        GroupRoster roster = new GroupRoster(group, new TreeSet<>(Set.of(1L, 2L)), Map.of(2L, 9L));

        assertThrows(UnsupportedOperationException.class, () -> roster.membersAt(3).add(5L));
        assertThrows(UnsupportedOperationException.class, () -> roster.membersAt(9).remove(1L));
        assertEquals(Set.of(1L, 2L), roster.memberUids());
    }
}
