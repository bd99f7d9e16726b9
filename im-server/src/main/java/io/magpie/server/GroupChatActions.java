package io.magpie.server;

import io.magpie.client.GroupMembersPage;
import io.magpie.client.Groups;
import io.magpie.client.MagpieClient;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.GroupAck;
import io.magpie.protocol.proto.GroupProfile;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a {@code /group ...} line of {@code magpie chat} ({@link GroupChatLine}) against the SDK's {@link Groups}
 * and prints the outcome; the SYSTEM message each change stores arrives like any message and is printed by the
 * chat's listener. Not thread-safe: the input loop's thread only.
 */
final class GroupChatActions {

    private static final long WAIT_SECONDS = 30;

    private final MagpieClient client;
    private final PrintStream out;

    GroupChatActions(MagpieClient client, PrintStream out) {
        this.client = client;
        this.out = out;
    }

    void run(GroupChatLine line) throws InterruptedException {
        Groups groups = client.groups();
        long gid = line.group();
        try {
            switch (line.op()) {
                case "create" -> {
                    long id = wait(groups.create(line.text(), line.uids()));
                    out.printf("  (created group %d: g_%d)%n", id, id);
                }
                case "say" -> out.printf("  (sent #%d to g_%d)%n", wait(client.sendText(ConversationType.GROUP, gid,
                        line.text())).getSeq(), gid);
                case "members" -> members(groups, gid, line.number());
                default -> acked(line, wait(change(groups, line)));
            }
        } catch (ExecutionException e) {
            out.println("  (/group " + line.op() + " failed: " + e.getCause().getMessage() + ")");
        } catch (TimeoutException e) {
            out.println("  (/group " + line.op() + " failed: no answer within " + WAIT_SECONDS + " s; try again)");
        }
    }

    private static CompletableFuture<GroupAck> change(Groups groups, GroupChatLine line) {
        long gid = line.group();
        return switch (line.op()) {
            case "invite" -> groups.invite(gid, line.uids());
            case "join" -> groups.join(gid, line.text());
            case "approve" -> groups.approve(gid, line.uids().get(0));
            case "reject" -> groups.reject(gid, line.uids().get(0));
            case "leave" -> groups.leave(gid);
            case "kick" -> groups.kick(gid, line.uids());
            case "admin", "unadmin" -> groups.setAdmin(gid, line.uids().get(0), line.op().equals("admin"));
            case "transfer" -> groups.transferOwner(gid, line.uids().get(0));
            case "dismiss" -> groups.dismiss(gid);
            case "mute" -> groups.mute(gid, line.uids().get(0), Duration.ofMinutes(line.number()));
            case "unmute" -> groups.unmute(gid, line.uids().get(0));
            case "muteall" -> groups.muteAll(gid, line.number() == 1);
            case "name" -> groups.update(gid, GroupProfile.newBuilder().setName(line.text()).build());
            case "notice" -> groups.update(gid, GroupProfile.newBuilder().setAnnouncement(line.text()).build());
            default -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown /group " + line.op()));
        };
    }

    private void acked(GroupChatLine line, GroupAck ack) {
        if (ack.getPending()) {
            out.printf("  (asked to join g_%d; an admin must approve)%n", ack.getGroupId());
        } else if (ack.getSeq() == 0) {
            out.printf("  (/group %s done)%n", line.op());
        } else {
            out.printf("  (/group %s stored as #%d of g_%d)%n", line.op(), ack.getSeq(), ack.getGroupId());
        }
    }

    private void members(Groups groups, long gid, long afterUid)
            throws InterruptedException, ExecutionException, TimeoutException {
        GroupMembersPage page = wait(groups.members(gid, afterUid, 50));
        for (GroupMembersPage.Member m : page.members()) {
            out.printf("  uid %d %s (since #%d)%n", m.uid(), m.role(), m.joinSeq());
        }
        out.println(page.last() ? "  -- end of the member list --"
                : "  -- /group members " + gid + " " + page.nextAfterUid() + " for more --");
    }

    private static <T> T wait(CompletableFuture<T> future)
            throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
