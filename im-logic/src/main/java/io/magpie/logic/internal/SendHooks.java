package io.magpie.logic.internal;

import io.magpie.hooks.BeforeSendHook;
import io.magpie.hooks.BeforeSendHook.Candidate;
import io.magpie.hooks.BeforeSendHook.Reject;
import io.magpie.hooks.BeforeSendHook.Rewrite;
import io.magpie.hooks.BeforeSendHook.Unavailable;
import io.magpie.hooks.BeforeSendHook.Verdict;
import io.magpie.hooks.FailureMode;
import io.magpie.logic.internal.DedupePlan.Fresh;
import io.magpie.logic.internal.DedupePlan.SameAs;
import io.magpie.logic.internal.DedupePlan.Slot;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.MessageContent;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 for the SENDs of one batch, between dedupe and the write: asks the operator's before-send hooks about the
 * batch's new messages in one round trip ({@link BeforeSendHook}) and applies the answers. A rejected message gets
 * ERROR {@code HOOK_REJECTED}, one of a hook that failed closed ERROR {@code SERVER_BUSY}; a rewritten one goes on
 * with the hook's content, marked rewritten so its SEND_ACK carries what was stored (as the word filter's masks).
 * A rewrite whose content breaks the content rules counts as a failed hook. Replays (dedupe hits) and messages
 * refused earlier in the batch are not sent. Not thread-safe: used by the upstream consumer's thread.
 */
public final class SendHooks {

    /** Asks nobody: every message goes on as sent. */
    public static final SendHooks NONE = new SendHooks(null, null);

    private static final Logger log = LoggerFactory.getLogger(SendHooks.class);

    private final BeforeSendHook hook;
    private final ContentValidator content;

    /** @param content the rules a rewritten content must pass, as a sent one */
    public SendHooks(BeforeSendHook hook, ContentValidator content) {
        this.hook = hook;
        this.content = content;
    }

    /**
     * Applies the hooks to the batch's new messages that {@code outcome} does not settle yet: fills {@code outcome}
     * with their refusals and returns the slots with rewritten commands (the same list when nothing was rewritten).
     */
    public List<Slot> review(List<Slot> slots, Object[] outcome) {
        if (hook == null || !hook.enabled()) {
            return slots;
        }
        List<Integer> at = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) instanceof Fresh f && outcome[i] == null) {
                SendCommand c = f.command();
                at.add(i);
                candidates.add(new Candidate(c.envelope().getAppId(), c.clientMsgId(), c.senderUid(),
                        c.envelope().getDeviceId(), c.conversationId(), c.type(), c.targetId(), c.request().getContent()));
            }
        }
        if (candidates.isEmpty()) {
            return slots;
        }
        List<Verdict> verdicts = hook.review(candidates);
        List<Slot> reviewed = null;
        for (int j = 0; j < at.size(); j++) {
            int i = at.get(j);
            SendCommand c = slots.get(i).command();
            Verdict v = verdicts.get(j);
            if (v instanceof Reject r) {
                outcome[i] = rejected(c, r);
            } else if (v instanceof Unavailable u) {
                outcome[i] = new Rejection(c.envelope(), ErrorCode.SERVER_BUSY, "the operator's message check did not"
                        + " answer usably (" + u.why() + "); the message was not sent: resend it later");
            } else if (v instanceof Rewrite w) {
                String problem = content.problem(w.content());
                if (problem != null) {
                    boolean open = hook.onFailure(c.envelope().getAppId()) == FailureMode.OPEN;
                    LogIdentity.sender(log.atWarn(), c.senderUid(), c.envelope().getDeviceId(), c.conversationId())
                            .log("[uid {}, device {}, conversation {}] the before-send hook rewrote message {} into"
                                    + " content that breaks the content rules ({}); {}", c.senderUid(),
                                    c.envelope().getDeviceId(), c.conversationId(), c.clientMsgId(), problem,
                                    open ? "failing open: storing it as sent" : "failing closed: SERVER_BUSY");
                    if (!open) {
                        outcome[i] = new Rejection(c.envelope(), ErrorCode.SERVER_BUSY, "the operator's message check"
                                + " answered with content this server cannot store; the message was not sent:"
                                + " resend it later");
                    }
                    continue;
                }
                if (reviewed == null) {
                    reviewed = new ArrayList<>(slots);
                }
                SendCommand rewritten = rewrite(c, w.content());
                reviewed.set(i, new Fresh(rewritten));
                // a repeat of the message in the same batch is answered with the same (rewritten) content
                for (int k = i + 1; k < slots.size(); k++) {
                    if (slots.get(k) instanceof SameAs same && same.firstIndex() == i) {
                        reviewed.set(k, new SameAs(rewrite(same.command(), w.content()), i));
                    }
                }
            }
        }
        return reviewed == null ? slots : reviewed;
    }

    private static SendCommand rewrite(SendCommand c, MessageContent content) {
        return new SendCommand(c.envelope(), c.request().toBuilder().setContent(content).build(), c.conversationId(),
                c.type(), c.targetId(), c.partition(), true);
    }

    private static Rejection rejected(SendCommand c, Reject r) {
        LogIdentity.sender(log.atInfo(), c.senderUid(), c.envelope().getDeviceId(), c.conversationId())
                .log("[uid {}, device {}, conversation {}] message {} refused by the before-send hook: code '{}',"
                        + " reason '{}'", c.senderUid(), c.envelope().getDeviceId(), c.conversationId(),
                        c.clientMsgId(), r.code(), r.reason());
        return new Rejection(c.envelope(), ErrorCode.HOOK_REJECTED, "the operator's hook refused this message (code '"
                + r.code() + "', reason '" + r.reason() + "'); nothing was sent");
    }
}
