package io.magpie.das;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A group and its members with the seq each joined at, their roles and mutes, read together for
 * authorising and fanning out a group message or change. Immutable.
 *
 * @param group      the group row
 * @param memberUids every member, ascending; unmodifiable
 * @param joinSeqs   member uid -> join seq (the first seq the member sees); a member missing here
 *                   counts as joined at seq 0; unmodifiable
 * @param details    the group's profile and settings
 * @param roles      member uid -> role, for admins and the owner only (absent = plain member)
 * @param mutedUntil member uid -> muted until (ms since the epoch), for muted members only
 */
public record GroupRoster(Group group, Set<Long> memberUids, Map<Long, Long> joinSeqs, GroupDetails details,
                          Map<Long, Integer> roles, Map<Long, Long> mutedUntil) {

    public GroupRoster {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(details, "details");
        memberUids = Collections.unmodifiableSet(new LinkedHashSet<>(memberUids));
        joinSeqs = Collections.unmodifiableMap(new LinkedHashMap<>(joinSeqs));
        roles = Map.copyOf(roles);
        mutedUntil = Map.copyOf(mutedUntil);
    }

    /** A roster with default settings whose owner is the group's owner and nobody is muted. */
    public GroupRoster(Group group, Set<Long> memberUids, Map<Long, Long> joinSeqs) {
        this(group, memberUids, joinSeqs, GroupDetails.DEFAULTS,
                memberUids.contains(group.ownerUid()) ? Map.of(group.ownerUid(), GroupMember.ROLE_OWNER) : Map.of(),
                Map.of());
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

    /** {@link GroupMember#ROLE_MEMBER}, {@code ROLE_ADMIN} or {@code ROLE_OWNER}; plain for non-members too. */
    public int role(long uid) {
        return roles.getOrDefault(uid, GroupMember.ROLE_MEMBER);
    }

    /** An admin or the owner. */
    public boolean isAdmin(long uid) {
        return role(uid) >= GroupMember.ROLE_ADMIN;
    }

    /** Until when an admin muted {@code uid} (ms since the epoch), 0 when not muted. */
    public long mutedUntil(long uid) {
        return mutedUntil.getOrDefault(uid, 0L);
    }

    /**
     * The members who see the message at {@code seq}: those who joined at or before it; unmodifiable. When all of
     * them did (the usual case) this is {@link #memberUids} itself: a group message asks once for its fan-out, and
     * a copy of a large group's members per message is what it would otherwise pay.
     */
    public Set<Long> membersAt(long seq) {
        if (joinSeqs.values().stream().allMatch(joined -> joined <= seq)) {
            return memberUids;
        }
        Set<Long> at = new LinkedHashSet<>();
        for (long uid : memberUids) {
            if (joinSeqs.getOrDefault(uid, 0L) <= seq) {
                at.add(uid);
            }
        }
        return Collections.unmodifiableSet(at);
    }
}
