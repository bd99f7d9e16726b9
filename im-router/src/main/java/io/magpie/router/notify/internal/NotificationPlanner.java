package io.magpie.router.notify.internal;

import io.magpie.das.DeviceToken;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.router.notify.PushNotification;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of {@code OfflineTask}s into the notifications to send: one per registered push token
 * of the task's user (each device its own), none when the user muted the conversation (unless
 * {@link Mentions} says the user was mentioned) or has no token, or when the message was recalled after
 * it was queued (checked for the whole batch in one read; the sender checks again before a retry).
 * Every notification of a message is {@link PushNotification.Priority#NORMAL} and carries the user's
 * badge from {@link Badges} (read once per user and batch). A task repeated in the batch (a redelivered
 * record) is planned once. Reads storage through the functions given (blocking; they may throw
 * {@code StorageException}, which rewinds the batch). Not thread-safe: used by the worker's thread.
 */
public final class NotificationPlanner {

    private static final Logger log = LoggerFactory.getLogger(NotificationPlanner.class);

    private final Function<Collection<Long>, Map<Long, List<DeviceToken>>> tokens;
    private final BiPredicate<Long, String> muted;
    private final Function<Collection<Long>, Set<Long>> recalled;
    private final Mentions mentions;
    private final Badges badges;

    /**
     * Whether the user of a task was mentioned in its message (the task's {@code mentioned}), which lets it
     * through a mute when {@code notifier.mentions-pass-mute} is on; {@link #NOT_TRACKED} when it is off.
     */
    @FunctionalInterface
    public interface Mentions {
        /** No mentions exist: nobody is ever mentioned. */
        Mentions NOT_TRACKED = task -> false;

        boolean mentioned(OfflineTask task);
    }

    /** The badge (app icon number) of a user, read when a notification goes to them; empty = none. */
    @FunctionalInterface
    public interface Badges {
        /** No badge is sent: devices keep the number they show. */
        Badges NONE = uid -> OptionalInt.empty();

        OptionalInt of(long uid);
    }

    /** A planner without mentions and without badges. */
    public NotificationPlanner(Function<Collection<Long>, Map<Long, List<DeviceToken>>> tokens,
            BiPredicate<Long, String> muted, Function<Collection<Long>, Set<Long>> recalled) {
        this(tokens, muted, recalled, Mentions.NOT_TRACKED, Badges.NONE);
    }

    /**
     * @param tokens   the push tokens of each of the given users (every uid a key)
     * @param muted    whether (uid, conversation id) is muted
     * @param recalled the ids among the given message ids whose message was recalled
     * @param mentions whether a task's user was mentioned (a mention passes a mute)
     * @param badges   the badge of a user
     */
    public NotificationPlanner(Function<Collection<Long>, Map<Long, List<DeviceToken>>> tokens,
            BiPredicate<Long, String> muted, Function<Collection<Long>, Set<Long>> recalled, Mentions mentions,
            Badges badges) {
        this.tokens = tokens;
        this.muted = muted;
        this.recalled = recalled;
        this.mentions = mentions;
        this.badges = badges;
    }

    /** What a batch turns into; counts are for the batch's log line. */
    public record Plan(List<PushNotification> notifications, int mutedTasks, int tasksWithoutToken,
                       int recalledTasks) {
    }

    public Plan plan(List<OfflineTask> tasks) {
        Set<Long> uids = new LinkedHashSet<>();
        tasks.forEach(t -> uids.add(t.getUid()));
        Map<Long, List<DeviceToken>> byUid = uids.isEmpty() ? Map.of() : tokens.apply(uids);
        Set<Long> msgIds = new LinkedHashSet<>();
        tasks.forEach(t -> msgIds.add(t.getMsgId()));
        Set<Long> gone = msgIds.isEmpty() ? Set.of() : recalled.apply(msgIds);
        int recalledTasks = 0;
        Map<String, Boolean> mutedCache = new HashMap<>();
        Map<Long, OptionalInt> badgeCache = new HashMap<>();
        Set<String> seen = new HashSet<>();
        List<PushNotification> out = new ArrayList<>();
        int mutedTasks = 0;
        int withoutToken = 0;
        for (OfflineTask task : tasks) {
            if (!seen.add(task.getUid() + "|" + task.getConversationId() + "|" + task.getSeq())) {
                continue;
            }
            if (gone.contains(task.getMsgId())) {
                recalledTasks++;
                continue;
            }
            List<DeviceToken> userTokens = byUid.getOrDefault(task.getUid(), List.of());
            if (userTokens.isEmpty()) {
                withoutToken++;
                continue;
            }
            boolean isMuted = mutedCache.computeIfAbsent(task.getUid() + "|" + task.getConversationId(),
                    k -> muted.test(task.getUid(), task.getConversationId()));
            if (isMuted && !mentions.mentioned(task)) {
                LogIdentity.conversation(LogIdentity.user(log.atDebug(), task.getUid()), task.getConversationId())
                        .log("[uid={} conv={}] conversation muted: seq {} not notified", task.getUid(),
                        task.getConversationId(), task.getSeq());
                mutedTasks++;
                continue;
            }
            OptionalInt badge = badgeCache.computeIfAbsent(task.getUid(), badges::of);
            for (DeviceToken t : userTokens) {
                out.add(new PushNotification(task.getUid(), t.deviceId(), t.provider().toLowerCase(Locale.ROOT),
                        t.token(), task.getConversationId(), task.getMsgId(), task.getSeq(), task.getSenderUid(),
                        task.getPreview(), PushNotification.Priority.NORMAL, badge,
                        task.getMentioned()));
            }
        }
        return new Plan(out, mutedTasks, withoutToken, recalledTasks);
    }
}
