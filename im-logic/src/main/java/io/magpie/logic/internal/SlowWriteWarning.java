package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.das.MessageRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when a batch committed later than the SYNC version window after its versions were assigned:
 * a client that synced meanwhile may have moved its cursor past those versions (see
 * {@link SyncCursor}) and will only see these rows after its next change. The operator should raise
 * {@code logic.sync-version-window} above the longest write. Stateless apart from its settings.
 */
public final class SlowWriteWarning {

    private static final Logger log = LoggerFactory.getLogger(SlowWriteWarning.class);

    private final Clock clock;
    private final Duration window;

    public SlowWriteWarning(Clock clock, Duration window) {
        this.clock = clock;
        this.window = window;
    }

    /** @return true (and a WARN) if the commit of {@code stored} came later than the window allows */
    public boolean check(List<MessageRecord> stored) {
        if (stored.isEmpty()) {
            return false;
        }
        long assignedAt = stored.stream().mapToLong(MessageRecord::serverTime).min().orElseThrow();
        long took = clock.millis() - assignedAt;
        if (took <= window.toMillis()) {
            return false;
        }
        LogIdentity.conversation(log.atWarn(), stored.get(0).conversationId())
                .log("[conversation {}] a batch of {} messages committed {} ms after its versions were assigned, more"
                        + " than logic.sync-version-window ({} ms): a client that synced meanwhile sees these"
                        + " conversations only at their next change; raise the window above the longest write",
                stored.get(0).conversationId(), stored.size(), took, window.toMillis());
        return true;
    }
}
