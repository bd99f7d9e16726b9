package io.magpie.logic.internal;

import java.util.List;

/**
 * Decides which new messages of a batch their senders still have budget for. Called once per polled batch
 * with the sends that are neither replays nor refused already, in batch order; and, per {@code @all} message an
 * admin may send, whether its group's {@code @all} budget still covers its members.
 */
public interface SendLimiter {

    /** Admits everything. */
    SendLimiter NONE = new SendLimiter() {
        @Override
        public long[] admit(List<SendCommand> sends) {
            return new long[sends.size()];
        }

        @Override
        public String budget() {
            return "no limit";
        }

        @Override
        public long admitMentionAll(long groupId, int members, long senderUid, String clientMsgId) {
            return 0;
        }

        @Override
        public String mentionAllBudget() {
            return "no limit";
        }
    };

    /**
     * @return one entry per send: 0 = admitted, above 0 = refused, the sender may send again after that many
     *         milliseconds
     */
    long[] admit(List<SendCommand> sends);

    /** The budget in words, with the settings that set it, for the refusal's message. */
    String budget();

    /**
     * Counts an {@code @all} message to group {@code groupId} of {@code members} members against the group's
     * budget, if it still covers it; the same message ({@code senderUid}, {@code clientMsgId}) again, as a retried
     * batch asks, is admitted without counting.
     *
     * @return 0 = admitted (and counted), above 0 = refused, the group's budget renews in that many milliseconds
     */
    long admitMentionAll(long groupId, int members, long senderUid, String clientMsgId);

    /** The {@code @all} budget in words, with the setting that sets it. */
    String mentionAllBudget();
}
