package io.magpie.logic.internal;

import io.magpie.das.FriendRequestRecord;
import io.magpie.protocol.Command;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.FriendRequest;
import io.magpie.protocol.proto.FriendRequestState;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the NOTICEs of friend and block changes made over HTTP (docs/PROTOCOL.md §9.13) to the
 * {@code push} topic: one task per user, to every online device of that user (the router fans it out;
 * never offline-notified), keyed by the uid so one user's notices stay in order. Notices are hints: the
 * friend list by version and the request and block lists over HTTP are the truth, so a notice that
 * cannot be published is logged and not retried (the change is committed already). Asynchronous; thread-safe.
 */
public final class FriendNotices {

    private static final Logger log = LoggerFactory.getLogger(FriendNotices.class);

    /** Publishes nothing: for an API that runs without the cluster (tests of the HTTP side alone). */
    public static final FriendNotices NONE = new FriendNotices(null, null);

    private final Producer<String, byte[]> producer;
    private final String pushTopic;

    public FriendNotices(Producer<String, byte[]> producer, String pushTopic) {
        this.producer = producer;
        this.pushTopic = pushTopic;
    }

    /**
     * A NOTICE of {@code type} to every online device of {@code uid}.
     *
     * @param actor          who acted (the notice's {@code uid})
     * @param request        the request concerned, or null
     * @param friendsVersion {@code uid}'s friend-list version after the change, 0 when it did not change
     * @param actorApp       the app id of the actor's token, null or "" for none (the after-send hook's endpoint)
     */
    public void send(long uid, NoticeType type, long actor, String actorApp, FriendRequestRecord request,
            long friendsVersion) {
        if (producer == null) {
            return;
        }
        Notice.Builder notice = Notice.newBuilder().setType(type).setUid(actor).setFriendsVersion(friendsVersion);
        if (request != null) {
            notice.setFriendRequest(toProto(request));
        }
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder().setUid(uid))
                .setCommand(Command.NOTICE.code())
                .setBody(notice.build().toByteString())
                .setSenderUid(actor)
                .setAppId(actorApp == null ? "" : actorApp)
                .build();
        producer.send(new ProducerRecord<>(pushTopic, Long.toString(uid), task.toByteArray()), (metadata, error) -> {
            if (error != null) {
                LogIdentity.user(log.atWarn(), uid)
                        .log("[uid={}] the {} notice (actor uid {}) could not be published; the user's devices learn the"
                        + " change at their next friend-list sync", uid, type, actor, error);
            }
        });
    }

    /** The wire form of a stored request. */
    public static FriendRequest toProto(FriendRequestRecord r) {
        return FriendRequest.newBuilder()
                .setRequestId(r.requestId())
                .setFromUid(r.fromUid())
                .setToUid(r.toUid())
                .setMessage(r.message())
                .setState(switch (r.state()) {
                    case PENDING -> FriendRequestState.FRIEND_REQUEST_PENDING;
                    case ACCEPTED -> FriendRequestState.FRIEND_REQUEST_ACCEPTED;
                    case REJECTED -> FriendRequestState.FRIEND_REQUEST_REJECTED;
                    case CANCELLED -> FriendRequestState.FRIEND_REQUEST_CANCELLED;
                })
                .setCreatedAt(r.createdAt())
                .setUpdatedAt(r.updatedAt())
                .build();
    }
}
