package io.magpie.server;

import io.magpie.client.AccountClient;
import io.magpie.client.FriendListener;
import io.magpie.client.FriendRequestInfo;
import io.magpie.client.FriendRequests;
import io.magpie.client.Friends;
import io.magpie.client.MagpieClient;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the friend and block commands of {@code magpie chat} ({@link FriendChatInput}) against the SDK's
 * {@link Friends} and prints the outcome; {@link #printer()} prints friend notices as they arrive. User
 * names are looked up over the account API. Not thread-safe for {@link #run}: the input loop's thread only.
 */
final class FriendChatActions {

    private static final long WAIT_SECONDS = 15;

    private final MagpieClient client;
    private final AccountClient accounts;
    private final PrintStream out;

    FriendChatActions(MagpieClient client, AccountClient accounts, PrintStream out) {
        this.client = client;
        this.accounts = accounts;
        this.out = out;
    }

    /** @return false when {@code line} is not a friend or block command (the chat handles it) */
    boolean run(String line) throws InterruptedException {
        Optional<FriendChatInput> parsed = FriendChatInput.parse(line);
        if (parsed.isEmpty()) {
            return false;
        }
        FriendChatInput input = parsed.get();
        Friends friends = client.friends();
        try {
            if (input instanceof FriendChatInput.ListFriends) {
                Set<Long> list = wait(friends.sync());
                out.println("  friends: " + (list.isEmpty() ? "(none)" : list + " (uids)"));
                FriendRequests pending = wait(friends.requests());
                pending.incoming().forEach(r -> out.printf("  request #%d from uid %d: %s%n", r.requestId(),
                        r.fromUid(), r.message()));
                pending.outgoing().forEach(r -> out.printf("  your request #%d to uid %d is pending%n", r.requestId(),
                        r.toUid()));
            } else if (input instanceof FriendChatInput.Add add) {
                FriendRequestInfo r = wait(friends.request(uid(add.user()), add.message()));
                out.println(r.accepted() ? "  (" + add.user() + " had asked you too: you are friends now)"
                        : "  (friend request #" + r.requestId() + " sent to " + add.user() + ")");
            } else if (input instanceof FriendChatInput.Answer answer) {
                FriendRequestInfo r = wait(answer.accept() ? friends.accept(answer.requestId())
                        : friends.reject(answer.requestId()));
                out.printf("  (request #%d %s)%n", r.requestId(), r.state().toLowerCase());
            } else if (input instanceof FriendChatInput.Remove remove) {
                wait(friends.remove(uid(remove.user())));
                out.println("  (" + remove.user() + " is no longer your friend)");
            } else if (input instanceof FriendChatInput.Block block) {
                long uid = uid(block.user());
                wait(block.block() ? friends.block(uid) : friends.unblock(uid));
                out.println("  (" + block.user() + (block.block() ? " blocked)" : " unblocked)"));
            } else if (input instanceof FriendChatInput.ListBlocks) {
                List<Long> blocked = wait(friends.blocks());
                out.println("  blocked: " + (blocked.isEmpty() ? "(nobody)" : blocked + " (uids)"));
            } else if (input instanceof FriendChatInput.Invalid invalid) {
                out.println("  (" + invalid.problem() + ")");
            }
        } catch (ExecutionException e) {
            out.println("  (" + line.strip() + " failed: " + e.getCause().getMessage() + ")");
        } catch (TimeoutException e) {
            out.println("  (" + line.strip() + " failed: no answer within " + WAIT_SECONDS + " s; try again)");
        }
        return true;
    }

    /** Prints incoming requests, answers and removals as their notices arrive. */
    FriendListener printer() {
        return new FriendListener() {
            @Override
            public void onFriendRequest(FriendRequestInfo r) {
                if (r.toUid() == client.credentials().uid()) {
                    out.printf("  (uid %d sent you a friend request #%d: \"%s\"; /friend accept %d)%n", r.fromUid(),
                            r.requestId(), r.message(), r.requestId());
                }
            }

            @Override
            public void onFriendRequestAnswered(FriendRequestInfo r) {
                out.printf("  (friend request #%d %s)%n", r.requestId(), r.state().toLowerCase());
            }

            @Override
            public void onFriendRemoved(long uid) {
                out.printf("  (uid %d removed you as a friend)%n", uid);
            }
        };
    }

    private long uid(String user) throws ExecutionException, InterruptedException, TimeoutException {
        return wait(accounts.findByUsernameAsync(client.credentials(), user)).uid();
    }

    private static <T> T wait(CompletableFuture<T> future)
            throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
