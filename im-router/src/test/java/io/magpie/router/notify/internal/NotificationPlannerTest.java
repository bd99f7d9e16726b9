package io.magpie.router.notify.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.das.DeviceToken;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.router.notify.PushNotification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotificationPlannerTest {

    private final List<String> mutedLookups = new ArrayList<>();
    private final NotificationPlanner planner = new NotificationPlanner(
            uids -> Map.of(
                    42L, List.of(new DeviceToken(42, "phone", "IOS", "APNS", "a-1", 1),
                            new DeviceToken(42, "web", "WEB", "webhook", "w-1", 1)),
                    43L, List.of(new DeviceToken(43, "phone", "ANDROID", "webhook", "w-2", 1)),
                    44L, List.of()),
            (uid, conv) -> {
                mutedLookups.add(uid + "|" + conv);
                return uid == 43 && conv.equals("g_5");
            },
            msgIds -> msgIds.contains(1099L) ? Set.of(1099L) : Set.of());

    private static OfflineTask task(long uid, String conv, long seq) {
        return OfflineTask.newBuilder().setUid(uid).setConversationId(conv).setMsgId(1000 + seq).setSeq(seq)
                .setSenderUid(7).setPreview("p" + seq).build();
    }

    @Test
    void aMessageRecalledSinceItWasQueuedIsNotNotified() {
        NotificationPlanner.Plan plan = planner.plan(List.of(task(42, "s_7_42", 99), task(42, "s_7_42", 3)));

        assertEquals(1, plan.recalledTasks());
        assertEquals(Set.of(3L), plan.notifications().stream().map(PushNotification::seq)
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void everyTokenOfTheUserGetsTheNotificationWithTheTasksFields() {
        NotificationPlanner.Plan plan = planner.plan(List.of(task(42, "s_7_42", 3)));

        assertEquals(List.of(
                new PushNotification(42, "phone", "apns", "a-1", "s_7_42", 1003, 3, 7, "p3"),
                new PushNotification(42, "web", "webhook", "w-1", "s_7_42", 1003, 3, 7, "p3")), plan.notifications());
    }

    @Test
    void aMutedConversationAndAUserWithoutTokenAreNotNotified() {
        NotificationPlanner.Plan plan = planner.plan(List.of(task(43, "g_5", 1), task(43, "g_5", 2),
                task(44, "g_5", 1), task(43, "s_7_43", 1)));

        assertEquals(List.of("s_7_43"), plan.notifications().stream().map(PushNotification::conversationId).toList());
        assertEquals(2, plan.mutedTasks());
        assertEquals(1, plan.tasksWithoutToken());
        assertEquals(Set.of("43|g_5", "43|s_7_43"), Set.copyOf(mutedLookups), "one lookup per user and conversation");
        assertEquals(2, mutedLookups.size());
    }

    @Test
    void aTaskRepeatedInTheBatchIsPlannedOnce() {
        NotificationPlanner.Plan plan = planner.plan(List.of(task(43, "s_7_43", 1), task(43, "s_7_43", 1)));

        assertEquals(1, plan.notifications().size());
    }

    @Test
    void aMentionPassesAMuteOnlyThroughTheMentionsHookAndEveryNotificationCarriesTheUsersBadge() {
        List<Long> badgeLookups = new ArrayList<>();
        NotificationPlanner withHooks = new NotificationPlanner(
                uids -> Map.of(43L, List.of(new DeviceToken(43, "phone", "ANDROID", "fcm", "f-1", 1),
                        new DeviceToken(43, "tab", "ANDROID", "fcm", "f-2", 1))),
                (uid, conv) -> conv.equals("g_5"),
                msgIds -> Set.of(),
                OfflineTask::getMentioned, // as NotifierService wires it with notifier.mentions-pass-mute on
                uid -> {
                    badgeLookups.add(uid);
                    return java.util.OptionalInt.of(12);
                });

        NotificationPlanner.Plan plan = withHooks.plan(List.of(task(43, "g_5", 1),
                task(43, "g_5", 2).toBuilder().setMentioned(true).build(), task(43, "s_7_43", 3)));

        assertEquals(List.of("2:phone", "2:tab", "3:phone", "3:tab"), plan.notifications().stream()
                .map(n -> n.seq() + ":" + n.deviceId()).toList(), "one per device token; muted seq 1 left out");
        assertEquals(1, plan.mutedTasks());
        plan.notifications().forEach(n -> {
            assertEquals(java.util.OptionalInt.of(12), n.badge());
            assertEquals(PushNotification.Priority.NORMAL, n.priority());
            assertEquals(n.conversationId(), n.collapseKey());
            assertEquals(n.seq() == 2, n.mentioned(), "the notification says it mentions the user");
        });
        assertEquals(List.of(43L), badgeLookups, "one badge read per user and batch");
    }

    @Test
    void withoutMentionsTrackedAMutedConversationIsNeverNotifiedAndNoBadgeIsSent() {
        NotificationPlanner.Plan plan = planner.plan(List.of(task(43, "g_5", 1), task(42, "s_7_42", 2)));

        assertEquals(1, plan.mutedTasks());
        plan.notifications().forEach(n -> assertEquals(java.util.OptionalInt.empty(), n.badge()));
    }
}
