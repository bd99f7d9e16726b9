package io.magpie.das;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A group and the uids of its members, read together (one query) for authorising and fanning out
 * a group message. Immutable.
 *
 * @param group      the group row
 * @param memberUids every member, ascending; unmodifiable
 */
public record GroupRoster(Group group, Set<Long> memberUids) {

    public GroupRoster {
        Objects.requireNonNull(group, "group");
        memberUids = Collections.unmodifiableSet(new LinkedHashSet<>(memberUids));
    }

    public boolean isMember(long uid) {
        return memberUids.contains(uid);
    }

    public int size() {
        return memberUids.size();
    }
}
