package io.magpie.logic.internal;

import io.magpie.das.AccountRepository;
import io.magpie.das.Group;
import io.magpie.das.GroupFullException;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupRepository;
import io.magpie.das.MembershipChange;
import io.magpie.idgen.IdGenerator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Groups over HTTP: create one with its members (the caller owns it and is always a member), read
 * it (members only), add members (any member may, for now). Members must be registered users; a
 * group has at most {@code maxMembers}. A new member joins at the group's last seq + 1, so they see
 * messages from when they joined. Storage faults surface as {@link io.magpie.registry.StorageException}.
 * Thread-safe; blocking (JDBC): runs on the HTTP server's threads.
 */
public final class GroupService {

    /** A group and its members, ascending by uid. */
    public record GroupView(Group group, List<GroupMember> members) {
    }

    private final GroupRepository groups;
    private final AccountRepository accounts;
    private final IdGenerator groupIds;
    private final IdGenerator versions;
    private final Clock clock;
    private final int maxMembers;

    /**
     * @param groupIds allocator of group ids (segment allocator, biz tag {@code group})
     * @param versions snowflake ids: user-scoped versions of the members' conversation rows
     */
    public GroupService(GroupRepository groups, AccountRepository accounts, IdGenerator groupIds, IdGenerator versions,
            Clock clock, int maxMembers) {
        this.groups = groups;
        this.accounts = accounts;
        this.groupIds = groupIds;
        this.versions = versions;
        this.clock = clock;
        this.maxMembers = maxMembers;
    }

    public GroupView create(long caller, String name, List<Long> memberUids) throws ApiException {
        String validName = GroupInput.name(name);
        Set<Long> uids = GroupInput.uids("members", memberUids, caller, maxMembers);
        requireRegistered(uids);
        long gid = groupIds.nextId();
        long now = clock.millis();
        List<GroupMember> members = new ArrayList<>(uids.size());
        for (long uid : uids.stream().sorted().toList()) {
            members.add(GroupMember.joining(gid, uid, uid == caller ? GroupMember.ROLE_OWNER : GroupMember.ROLE_MEMBER,
                    1, now));
        }
        long version = versions.nextId();
        Group group = new Group(gid, validName, caller, members.size(), 0, 0, version, false, now, now, false);
        groups.create(group, members, version);
        return new GroupView(group, members);
    }

    /** @throws ApiException 404 if there is no such group, 403 if the caller is not a member */
    public GroupView find(long caller, long groupId) throws ApiException {
        Group group = groups.find(groupId).orElseThrow(() -> noSuchGroup(groupId));
        List<GroupMember> members = groups.members(groupId);
        if (members.stream().noneMatch(m -> m.uid() == caller)) {
            throw notMember(caller, groupId);
        }
        return new GroupView(group, members);
    }

    /** Adds the uids not yet members; those already in are left as they are. */
    public MembershipChange addMembers(long caller, long groupId, List<Long> uids) throws ApiException {
        Set<Long> wanted = GroupInput.uids("uids", uids, 0, maxMembers);
        if (wanted.isEmpty()) {
            throw ApiException.badRequest("uids must name at least one user to add");
        }
        if (groups.member(groupId, caller).isEmpty()) {
            throw groups.find(groupId).isEmpty() ? noSuchGroup(groupId) : notMember(caller, groupId);
        }
        requireRegistered(wanted);
        try {
            return groups.addMembers(groupId, wanted, maxMembers, versions.nextId())
                    .orElseThrow(() -> noSuchGroup(groupId));
        } catch (GroupFullException e) {
            throw ApiException.badRequest(e.getMessage() + " (logic.max-group-members)");
        }
    }

    private void requireRegistered(Set<Long> uids) throws ApiException {
        Set<Long> missing = new HashSet<>(uids);
        missing.removeAll(accounts.findExistingUids(uids));
        if (!missing.isEmpty()) {
            throw ApiException.badRequest(GroupInput.missing(missing) + "; nobody was added");
        }
    }

    private static ApiException noSuchGroup(long groupId) {
        return new ApiException(404, "NOT_FOUND", "no group with id " + groupId);
    }

    private static ApiException notMember(long caller, long groupId) {
        return new ApiException(403, "FORBIDDEN", "uid " + caller + " is not a member of group " + groupId
                + "; only members may see or change it");
    }
}
