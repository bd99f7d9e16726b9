package io.magpie.logic.internal;

import io.magpie.das.AccountRepository;
import io.magpie.das.ConversationUpdate;
import io.magpie.das.Group;
import io.magpie.das.GroupChange;
import io.magpie.das.GroupDetails;
import io.magpie.das.GroupJoinRequests;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupMutation;
import io.magpie.das.GroupRepository;
import io.magpie.das.Relations;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageStore;
import io.magpie.das.WriteFence;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.GroupEventType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups over HTTP: create one with its members (the caller owns it and is always a member), read
 * it, page its members and (admins) its join requests; members only. Every other change is a GROUP
 * command on the group's writer ({@link GroupOpProcessor}), so it gets a seq in the timeline.
 *
 * <p>Creation stores the group's first message, GROUP_CREATED at seq 1, in the transaction that
 * creates the group. No writer can hold a cached seq for it: the group id is fresh (segment
 * allocator) and a SEND or GROUP to a group that does not exist is refused before a seq is taken,
 * so the writer's first seq for the group is loaded from MySQL after the creation committed.
 *
 * <p>Members must be registered users; a group has at most {@code maxMembers}. Storage faults
 * surface as {@link io.magpie.registry.StorageException}. Thread-safe; blocking (JDBC): runs on the
 * HTTP server's threads.
 */
public final class GroupService {

    private static final Logger log = LoggerFactory.getLogger(GroupService.class);

    /** Most members one page lists. */
    public static final int MAX_PAGE = 500;

    /** A group, its settings and its members, ascending by uid. */
    public record GroupView(Group group, GroupDetails details, List<GroupMember> members) {
    }

    private final GroupRepository groups;
    private final AccountRepository accounts;
    private final GroupJoinRequests joinRequests;
    private final Relations relations;
    private final MessageStore store;
    private final IdGenerator groupIds;
    private final IdGenerator versions;
    private final Clock clock;
    private final int maxMembers;
    private final int largeGroupThreshold;
    private final PushTaskPublisher pushes;

    /**
     * @param groupIds allocator of group ids (segment allocator, biz tag {@code group})
     * @param versions snowflake ids: the GROUP_CREATED message's id and the members' row versions
     * @param pushes   pushes GROUP_CREATED to the members' devices; null = not pushed (they find it by SYNC)
     */
    public GroupService(GroupRepository groups, AccountRepository accounts, GroupJoinRequests joinRequests,
            Relations relations, MessageStore store, IdGenerator groupIds, IdGenerator versions, Clock clock, int maxMembers,
            int largeGroupThreshold, PushTaskPublisher pushes) {
        this.pushes = pushes;
        this.groups = groups;
        this.accounts = accounts;
        this.joinRequests = joinRequests;
        this.relations = relations;
        this.store = store;
        this.groupIds = groupIds;
        this.versions = versions;
        this.clock = clock;
        this.maxMembers = maxMembers;
        this.largeGroupThreshold = largeGroupThreshold;
    }

    /**
     * Creates the group and its GROUP_CREATED message (seq 1) in one transaction.
     *
     * @param callerApp the app id of the caller's token, null or "" for none: its PUSH carries it (the after-send
     *                  hook's endpoint)
     */
    public GroupView create(long caller, String callerDevice, String callerApp, String name, List<Long> memberUids)
            throws ApiException {
        String validName = GroupInput.name(name);
        Set<Long> uids = GroupInput.uids("members", memberUids, caller, maxMembers);
        requireRegistered(uids);
        requireNotBlocked(caller, uids);
        long gid = groupIds.nextId();
        long now = clock.millis();
        List<GroupMember> members = new ArrayList<>(uids.size());
        Map<Long, Long> joinSeqs = new HashMap<>();
        List<Long> others = new ArrayList<>();
        for (long uid : uids.stream().sorted().toList()) {
            members.add(GroupMember.joining(gid, uid, uid == caller ? GroupMember.ROLE_OWNER : GroupMember.ROLE_MEMBER,
                    1, now));
            joinSeqs.put(uid, 1L);
            if (uid != caller) {
                others.add(uid);
            }
        }
        long msgId = versions.nextId();
        Group group = new Group(gid, validName, caller, members.size(), 0, 0, msgId, false, now, now, false);
        MessageContent content = MessageContent.newBuilder().setType(MessageType.SYSTEM)
                .setGroupEvent(GroupEvent.newBuilder().setType(GroupEventType.GROUP_CREATED).setOperatorUid(caller)
                        .addAllTargetUids(others).setName(validName).setMemberCount(members.size()))
                .build();
        String conversationId = ConversationIds.group(gid);
        MessageRecord first = new MessageRecord(msgId, conversationId, ConversationType.GROUP_VALUE, 1, msgId, caller,
                callerDevice, "group-created-" + gid, MessageType.SYSTEM_VALUE, content.toByteArray(),
                MessageStatus.NORMAL_VALUE, now);
        GroupRoster roster = new GroupRoster(group, uids, joinSeqs);
        ConversationUpdates.Plan plan = ConversationUpdates.plan(List.of(first), g -> roster, largeGroupThreshold);
        // every first member has "read" GROUP_CREATED: a new group shows in the list with nothing unread
        List<ConversationUpdate> rows = new ArrayList<>(members.size());
        for (GroupMember m : members) {
            rows.add(new ConversationUpdate(m.uid(), conversationId, ConversationType.GROUP_VALUE, gid, 1, msgId, msgId,
                    1));
        }
        store.persist(WriteFence.NONE, Set.of(), locked -> new MessageStore.Writes(List.of(first), rows,
                plan.groups(), List.of(new GroupChange(gid, msgId, List.of(new GroupMutation.Create(group, members))))));
        push(caller, callerDevice, callerApp, first, uids);
        return new GroupView(new Group(gid, validName, caller, members.size(), 1, msgId, msgId,
                members.size() > largeGroupThreshold, now, now, false), GroupDetails.DEFAULTS, members);
    }

    /** GROUP_CREATED to every member's devices, as a group message is pushed; the group exists whatever happens. */
    private void push(long caller, String callerDevice, String callerApp, MessageRecord first, Set<Long> members) {
        if (pushes == null) {
            return;
        }
        UpstreamEnvelope creator = UpstreamEnvelope.newBuilder().setUid(caller).setDeviceId(callerDevice)
                .setAppId(callerApp == null ? "" : callerApp).build();
        try {
            synchronized (pushes) { // one thread at a time (PushTaskPublisher's contract)
                pushes.publishAll(List.of(PushTaskFactory.groupPush(creator, first, members)));
            }
        } catch (BatchRetryException e) {
            LogIdentity.conversation(LogIdentity.user(log.atWarn(), caller), first.conversationId())
                    .log("[uid {}, group {}] group created, but pushing its GROUP_CREATED message failed ({}); the"
                    + " members get it at their next SYNC or PULL", caller, first.conversationId(), e.getMessage(), e);
        }
    }

    /** @throws ApiException 404 if there is no such group, 403 if the caller is not a member */
    public GroupView find(long caller, long groupId) throws ApiException {
        Group group = groups.find(groupId).orElseThrow(() -> noSuchGroup(groupId));
        requireMember(caller, groupId);
        GroupDetails details = groups.details(groupId).orElseThrow(() -> noSuchGroup(groupId));
        return new GroupView(group, details, groups.members(groupId));
    }

    /** A page of members ascending by uid (members only). */
    public List<GroupMember> members(long caller, long groupId, long afterUid, int limit) throws ApiException {
        requireMember(caller, groupId);
        return groups.membersPage(groupId, Math.max(0, afterUid), page(limit));
    }

    /** A page of join requests awaiting approval ascending by uid (admins and the owner only). */
    public List<GroupJoinRequests.JoinRequest> joinRequests(long caller, long groupId, long afterUid, int limit)
            throws ApiException {
        GroupMember m = requireMember(caller, groupId);
        if (m.role() < GroupMember.ROLE_ADMIN) {
            throw new ApiException(403, "NOT_ADMIN", "only admins and the owner of group " + groupId
                    + " may see its join requests");
        }
        return joinRequests.page(groupId, Math.max(0, afterUid), page(limit));
    }

    private static int page(int limit) throws ApiException {
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiException.badRequest("limit must be 1-" + MAX_PAGE + ", got " + limit);
        }
        return limit;
    }

    private GroupMember requireMember(long caller, long groupId) throws ApiException {
        return groups.member(groupId, caller).orElseThrow(() -> groups.find(groupId).isEmpty()
                ? noSuchGroup(groupId) : notMember(caller, groupId));
    }

    private void requireRegistered(Set<Long> uids) throws ApiException {
        Set<Long> missing = new HashSet<>(uids);
        missing.removeAll(accounts.findExistingUids(uids));
        if (!missing.isEmpty()) {
            throw ApiException.badRequest(GroupInput.missing(missing) + "; nobody was added");
        }
    }

    /** Nobody adds a user who blocked them: the same rule as GROUP invite's BLOCKED_BY_USER. */
    private void requireNotBlocked(long caller, Set<Long> uids) throws ApiException {
        Set<Long> blockers = relations.blockersAmong(caller, uids.stream().filter(u -> u != caller).toList());
        if (!blockers.isEmpty()) {
            throw new ApiException(403, "BLOCKED_BY_USER", "uid " + blockers.stream().sorted().toList()
                    + " blocked you and cannot be added to a group by you; nobody was added");
        }
    }

    private static ApiException noSuchGroup(long groupId) {
        return new ApiException(404, "NOT_FOUND", "no group with id " + groupId);
    }

    private static ApiException notMember(long caller, long groupId) {
        return new ApiException(403, "FORBIDDEN", "uid " + caller + " is not a member of group " + groupId
                + "; only members may see it");
    }
}
