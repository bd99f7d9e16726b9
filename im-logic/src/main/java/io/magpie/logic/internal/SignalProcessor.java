package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.registry.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transient part of an upstream batch, nothing of which is stored as a message: gates' PRESENCE_EVENTs
 * (to the {@link PresenceAnnouncer}), PRESENCE queries ({@link PresenceQueryHandler}) and TYPING
 * ({@link TypingProcessor}). Each request stands alone: a storage failure answers that one request
 * SERVER_BUSY (retryable), a bug INTERNAL; neither fails the batch. Used by the upstream consumer's thread.
 */
public final class SignalProcessor {

    private static final Logger log = LoggerFactory.getLogger(SignalProcessor.class);

    private final PresenceAnnouncer announcer;
    private final PresenceQueryHandler presence;
    private final TypingProcessor typing;

    public SignalProcessor(PresenceAnnouncer announcer, PresenceQueryHandler presence, TypingProcessor typing) {
        this.announcer = Objects.requireNonNull(announcer, "announcer");
        this.presence = Objects.requireNonNull(presence, "presence");
        this.typing = Objects.requireNonNull(typing, "typing");
    }

    /** Whether this processor serves {@code command}. */
    public static boolean serves(int command) {
        return command == Command.PRESENCE_EVENT.code() || command == Command.PRESENCE.code()
                || command == Command.TYPING.code();
    }

    /** Whether {@code env} is a gate's PRESENCE_EVENT (nobody to answer) rather than a client's request. */
    public static boolean isEvent(UpstreamEnvelope env) {
        return env.getCommand() == Command.PRESENCE_EVENT.code();
    }

    /** The pushes answering {@code signals} (answers, notices, errors). */
    public List<OutgoingPush> process(List<UpstreamEnvelope> signals) {
        List<OutgoingPush> out = new ArrayList<>();
        boolean redisFailed = false;
        for (UpstreamEnvelope env : signals) {
            String what = Command.nameOf(env.getCommand());
            try {
                if (env.getCommand() == Command.PRESENCE_EVENT.code()) {
                    announcer.onEvent(env);
                } else if (env.getCommand() == Command.PRESENCE.code()) {
                    if (redisFailed) {
                        // one stalled store per batch: the rest of the batch's sends must not wait for it again
                        out.add(PushTaskFactory.error(new Rejection(env, ErrorCode.SERVER_BUSY,
                                "PRESENCE could not be served from storage now; send it again later")));
                        continue;
                    }
                    try {
                        out.add(presence.answer(env));
                    } catch (StorageException | java.util.concurrent.ExecutionException
                            | java.util.concurrent.TimeoutException e) {
                        redisFailed = true;
                        throw e;
                    }
                } else {
                    out.addAll(typing.process(env));
                }
            } catch (StorageException | java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException e) {
                LogIdentity.device(log.atWarn(), env.getGateId(), env.getUid(), env.getDeviceId())
                        .log("[gate {}, uid {}, device {}] {} could not be served: {}", env.getGateId(), env.getUid(),
                        env.getDeviceId(), what, e.toString(), e);
                if (env.getCommand() != Command.PRESENCE_EVENT.code()) {
                    out.add(PushTaskFactory.error(new Rejection(env, ErrorCode.SERVER_BUSY, what
                            + " could not be served from storage now; send it again later")));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(PushTaskFactory.error(new Rejection(env, ErrorCode.SERVER_BUSY, what
                        + " was interrupted on the server; send it again later")));
            } catch (Exception e) {
                LogIdentity.device(log.atError(), env.getGateId(), env.getUid(), env.getDeviceId())
                        .log("[gate {}, uid {}, device {}] {} failed unexpectedly", env.getGateId(), env.getUid(),
                        env.getDeviceId(), what, e);
                out.add(PushTaskFactory.error(new Rejection(env, ErrorCode.INTERNAL, what
                        + " failed on the server; it was logged, send it again later")));
            }
        }
        return out;
    }
}
