package io.magpie.logic.internal;

import io.magpie.protocol.proto.PushTask;

/**
 * A push task and its Kafka key for the {@code push} topic.
 *
 * @param key  uid of the single target as a decimal string, or the conversation id (keeps one
 *             conversation's pushes in order on one partition)
 * @param task the task
 */
public record OutgoingPush(String key, PushTask task) {
}
