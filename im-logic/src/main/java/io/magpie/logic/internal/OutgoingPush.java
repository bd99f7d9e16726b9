package io.magpie.logic.internal;

import io.magpie.protocol.proto.PushTask;

/**
 * A push task and its Kafka key for the {@code push} topic.
 *
 * @param key          uid of the single target as a decimal string, or the conversation id (keeps one
 *                     conversation's pushes in order on one partition)
 * @param task         the task
 * @param receivedAtUs when the gate read the SEND this task answers or delivers (µs since the epoch), the
 *                     first stamp of the task's {@code HopTrace}; 0 = the task is not traced
 */
public record OutgoingPush(String key, PushTask task, long receivedAtUs) {

    /** A task that carries no hop trace (everything but a SEND's SEND_ACK and PUSH). */
    public OutgoingPush(String key, PushTask task) {
        this(key, task, 0);
    }
}
