package io.magpie.logic.internal;

import java.util.List;

/**
 * Decides which new messages of a batch their senders still have budget for. Called once per polled batch
 * with the sends that are neither replays nor refused already, in batch order.
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
    };

    /**
     * @return one entry per send: 0 = admitted, above 0 = refused, the sender may send again after that many
     *         milliseconds
     */
    long[] admit(List<SendCommand> sends);

    /** The budget in words, with the settings that set it, for the refusal's message. */
    String budget();
}
