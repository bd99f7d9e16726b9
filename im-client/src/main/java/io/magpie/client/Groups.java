package io.magpie.client;

import io.magpie.client.internal.ClientConnection;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.GroupAck;
import io.magpie.protocol.proto.GroupJoin;
import io.magpie.protocol.proto.GroupMute;
import io.magpie.protocol.proto.GroupMuteAll;
import io.magpie.protocol.proto.GroupNone;
import io.magpie.protocol.proto.GroupProfile;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.GroupRole;
import io.magpie.protocol.proto.GroupSetRole;
import io.magpie.protocol.proto.GroupSettings;
import io.magpie.protocol.proto.GroupUid;
import io.magpie.protocol.proto.GroupUids;
import io.magpie.protocol.proto.Notice;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Groups for one {@link MagpieClient} ({@link MagpieClient#groups()}, docs/PROTOCOL.md §9.16). Creation and the
 * member list are account-API calls; every change of an existing group is a GROUP command on the connection,
 * stored as a SYSTEM message in the group's timeline: its future completes with the {@link GroupAck} (the
 * message's seq) or fails with {@link MagpieErrorException} naming the refusal ({@code NOT_ADMIN},
 * {@code GROUP_FULL}, ...), or {@link ConnectionLostException} when not connected. Each call uses a fresh
 * client msg id; to resend one after a lost connection, use {@link #request} with the same id. Every member's
 * devices (this one's other devices too) get the SYSTEM message through {@link MessageListener#onMessage};
 * {@link GroupEvents#of} reads it; join requests and their rejection are NOTICEs, passed to the
 * {@link GroupListener}s. Thread-safe.
 */
public final class Groups {

    /** Most uids one invite or kick may name; {@link #inviteAll} splits larger lists. */
    public static final int MAX_UIDS_PER_REQUEST = 500;

    private final Supplier<ClientConnection> connection;
    private final Supplier<Credentials> credentials;
    private final Supplier<AccountClient> api;
    private final List<GroupListener> listeners = new CopyOnWriteArrayList<>();

    Groups(Supplier<ClientConnection> connection, Supplier<Credentials> credentials, Supplier<AccountClient> api) {
        this.connection = connection;
        this.credentials = credentials;
        this.api = api;
    }

    /** Creates a group owned by this user with {@code members} (HTTP); completes with its id ({@code g_<id>}). */
    public CompletableFuture<Long> create(String name, List<Long> members) {
        Credentials c = credentials.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return api.get().createGroupAsync(c, name, members);
    }

    /** Adds users (1-500; invitees who are members already are skipped). */
    public CompletableFuture<GroupAck> invite(long groupId, List<Long> uids) {
        return request(groupId, null, b -> b.setInvite(GroupUids.newBuilder().addAllUids(uids)));
    }

    /** Adds any number of users, {@value #MAX_UIDS_PER_REQUEST} per GROUP request, one after the other. */
    public CompletableFuture<GroupAck> inviteAll(long groupId, List<Long> uids) {
        CompletableFuture<GroupAck> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < uids.size(); from += MAX_UIDS_PER_REQUEST) {
            List<Long> batch = List.copyOf(uids.subList(from, Math.min(uids.size(), from + MAX_UIDS_PER_REQUEST)));
            chain = chain.thenCompose(previous -> invite(groupId, batch));
        }
        return chain;
    }

    /** Asks to join: completes {@code pending} under the approval policy, with the MEMBER_JOINED seq when free. */
    public CompletableFuture<GroupAck> join(long groupId, String message) {
        return request(groupId, null, b -> b.setJoin(GroupJoin.newBuilder().setMessage(message == null ? "" : message)));
    }

    public CompletableFuture<GroupAck> approve(long groupId, long uid) {
        return request(groupId, null, b -> b.setApproveJoin(GroupUid.newBuilder().setUid(uid)));
    }

    public CompletableFuture<GroupAck> reject(long groupId, long uid) {
        return request(groupId, null, b -> b.setRejectJoin(GroupUid.newBuilder().setUid(uid)));
    }

    public CompletableFuture<GroupAck> leave(long groupId) {
        return request(groupId, null, b -> b.setLeave(GroupNone.getDefaultInstance()));
    }

    public CompletableFuture<GroupAck> kick(long groupId, List<Long> uids) {
        return request(groupId, null, b -> b.setKick(GroupUids.newBuilder().addAllUids(uids)));
    }

    /** Owner: makes {@code uid} an admin ({@code admin} true) or a plain member. */
    public CompletableFuture<GroupAck> setAdmin(long groupId, long uid, boolean admin) {
        return request(groupId, null, b -> b.setSetRole(GroupSetRole.newBuilder().setUid(uid)
                .setRole(admin ? GroupRole.GROUP_ROLE_ADMIN : GroupRole.GROUP_ROLE_MEMBER)));
    }

    public CompletableFuture<GroupAck> transferOwner(long groupId, long uid) {
        return request(groupId, null, b -> b.setTransferOwner(GroupUid.newBuilder().setUid(uid)));
    }

    public CompletableFuture<GroupAck> dismiss(long groupId) {
        return request(groupId, null, b -> b.setDismiss(GroupNone.getDefaultInstance()));
    }

    public CompletableFuture<GroupAck> mute(long groupId, long uid, Duration duration) {
        return request(groupId, null, b -> b.setMuteMember(GroupMute.newBuilder().setUid(uid)
                .setDurationMs(duration.toMillis())));
    }

    public CompletableFuture<GroupAck> unmute(long groupId, long uid) {
        return request(groupId, null, b -> b.setUnmuteMember(GroupUid.newBuilder().setUid(uid)));
    }

    public CompletableFuture<GroupAck> muteAll(long groupId, boolean muted) {
        return request(groupId, null, b -> b.setMuteAll(GroupMuteAll.newBuilder().setMuted(muted)));
    }

    /** Changes the fields set in {@code profile} (name, avatar URL, announcement). */
    public CompletableFuture<GroupAck> update(long groupId, GroupProfile profile) {
        return request(groupId, null, b -> b.setUpdate(profile));
    }

    public CompletableFuture<GroupAck> settings(long groupId, GroupSettings settings) {
        return request(groupId, null, b -> b.setSettings(settings));
    }

    /** A page of members ascending by uid (HTTP, members only): start with {@code afterUid} 0. */
    public CompletableFuture<GroupMembersPage> members(long groupId, long afterUid, int limit) {
        Credentials c = credentials.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return api.get().groupMembersAsync(c, groupId, afterUid, limit);
    }

    /** A page of the requests to join awaiting approval (HTTP, admins and the owner): start with {@code afterUid} 0. */
    public CompletableFuture<GroupJoinRequestsPage> joinRequests(long groupId, long afterUid, int limit) {
        Credentials c = credentials.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return api.get().groupJoinRequestsAsync(c, groupId, afterUid, limit);
    }

    /** Adds a listener of join requests and rejections. */
    public void addListener(GroupListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(GroupListener listener) {
        listeners.remove(listener);
    }

    /** A NOTICE of this client's connection: the group ones go to the listeners. */
    void onNotice(Notice notice) {
        switch (notice.getType()) {
            case NOTICE_GROUP_JOIN_REQUEST -> listeners.forEach(l -> l.onJoinRequest(notice.getGroupId(),
                    notice.getRequesterUid(), notice.getJoinMessage()));
            case NOTICE_GROUP_JOIN_REJECTED -> listeners.forEach(l -> l.onJoinRejected(notice.getGroupId(),
                    notice.getUid()));
            default -> {
            }
        }
    }

    /** What an op sets on the request. */
    @FunctionalInterface
    public interface Op {
        void apply(GroupRequest.Builder request);
    }

    /**
     * Sends one GROUP request.
     *
     * @param clientMsgId null for a fresh one; the id of an earlier request to resend it (answered from storage)
     */
    public CompletableFuture<GroupAck> request(long groupId, String clientMsgId, Op op) {
        ClientConnection current = connection.get();
        if (current == null) {
            return CompletableFuture.failedFuture(new ConnectionLostException("GROUP not sent: not connected;"
                    + " try again once CONNECTED"));
        }
        GroupRequest.Builder request = GroupRequest.newBuilder().setGroupId(groupId)
                .setClientMsgId(clientMsgId != null ? clientMsgId : UUID.randomUUID().toString());
        op.apply(request);
        return current.handler().request(Command.GROUP, request.build(), Command.GROUP_ACK, GroupAck.parser());
    }
}
