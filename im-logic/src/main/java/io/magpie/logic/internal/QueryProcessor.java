package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.StorageException;
import io.magpie.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers SYNC and PULL requests, each on its own: a request MySQL cannot serve now gets a retryable
 * SERVER_BUSY error (the client resends), a bug an INTERNAL one; neither fails the others nor the
 * write path. Used by the upstream consumer's thread.
 */
public final class QueryProcessor {

    private static final Logger log = LoggerFactory.getLogger(QueryProcessor.class);

    private final SyncHandler sync;
    private final PullHandler pull;

    public QueryProcessor(SyncHandler sync, PullHandler pull) {
        this.sync = sync;
        this.pull = pull;
    }

    /** One reply per query (the answer or an ERROR), in order. */
    public List<OutgoingPush> answer(List<QueryCommand> queries) {
        List<OutgoingPush> replies = new ArrayList<>(queries.size());
        for (QueryCommand q : queries) {
            replies.add(answer(q));
        }
        return replies;
    }

    private OutgoingPush answer(QueryCommand q) {
        String what = q instanceof QueryCommand.Sync ? "SYNC" : "PULL of " + ((QueryCommand.Pull) q).conversationId();
        try {
            return q instanceof QueryCommand.Sync s ? sync.answer(s) : pull.answer((QueryCommand.Pull) q);
        } catch (StorageException e) {
            LogIdentity.device(log.atWarn(), q.envelope().getGateId(), q.uid(), q.envelope().getDeviceId())
                    .log("[gate {}, uid {}, device {}] {} could not be answered: {}", q.envelope().getGateId(), q.uid(),
                    q.envelope().getDeviceId(), what, e.getMessage(), e);
            return PushTaskFactory.error(new Rejection(q.envelope(), ErrorCode.SERVER_BUSY, what
                    + " could not be read from storage now; send it again later"));
        } catch (RuntimeException e) {
            LogIdentity.device(log.atError(), q.envelope().getGateId(), q.uid(), q.envelope().getDeviceId())
                    .log("[gate {}, uid {}, device {}] {} failed unexpectedly", q.envelope().getGateId(), q.uid(),
                    q.envelope().getDeviceId(), what, e);
            return PushTaskFactory.error(new Rejection(q.envelope(), ErrorCode.INTERNAL, what
                    + " failed on the server; it was logged, send it again later"));
        }
    }
}
