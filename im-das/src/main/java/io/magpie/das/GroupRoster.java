package io.magpie.das;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A group and its members with the seq each joined at, read together for authorising and fanning
 * out a group message. Immutable.
 *
 * @param group      the group row
 * @param memberUids every member, ascending; unmodifiable
 * @param joinSeqs   member uid -> join seq (the first seq the member sees); a member missing here
 *                   counts as joined at seq 0; unmodifiable
 */
public record GroupRoster(Group group, Set<Long> memberUids, Map<Long, Long> joinSeqs) {

    public GroupRoster {
        Objects.requireNonNull(group, "group");
        memberUids = Collections.unmodifiableSet(new LinkedHashSet<>(memberUids));
        joinSeqs = Collections.unmodifiableMap(new LinkedHashMap<>(joinSeqs));
    }

    /** A roster whose members all see every message (join seqs unknown). */
    public GroupRoster(Group group, Set<Long> memberUids) {
        this(group, memberUids, Map.of());
    }

    public boolean isMember(long uid) {
        return memberUids.contains(uid);
    }

    public int size() {
        return memberUids.size();
    }

    /** The members who see the message at {@code seq}: those who joined at or before it. */
    public Set<Long> membersAt(long seq) {
        Set<Long> at = new LinkedHashSet<>();
        for (long uid : memberUids) {
            if (joinSeqs.getOrDefault(uid, 0L) <= seq) {
                at.add(uid);
            }
        }
        return at;
    }
}
