package io.magpie.server.faults;

import io.magpie.server.faults.MysqlSessions.OpenTransaction;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Freezes a role process (SIGSTOP) at a moment it holds an open MySQL transaction, without a hook in
 * the product: under steady load it stops the process, lets the statements already on the wire finish
 * (a COMMIT sent before the stop completes; a transaction without its COMMIT stays open), and asks
 * {@code information_schema.innodb_trx} for a transaction of the deployment's database that holds row
 * locks (a write transaction holds its new rows' and the fence row's) and stays open and idle (its session in
 * {@code Sleep}, waiting for the client) across two looks {@value #CONFIRM_MILLIS} ms apart while the process is
 * stopped, from one of the process's own MySQL sessions when the
 * processlist names the client port (see {@link ProcSockets}). A running writer never leaves its
 * transaction idle that long. If there is none, it resumes the process at once and tries again a little
 * later, a bounded number of times.
 */
final class TransactionFreezer {

    /** A process stopped inside a transaction; close the pause to resume it. */
    record Frozen(Signals.Paused pause, List<OpenTransaction> transactions, int attempts) {
    }

    private static final long SETTLE_MILLIS = 100;
    private static final long CONFIRM_MILLIS = 300;

    private final MysqlSessions sessions;

    TransactionFreezer(MysqlSessions sessions) {
        this.sessions = sessions;
    }

    /**
     * Stops {@code pid} inside a transaction of its own.
     *
     * @throws AssertionError when none of {@code maxAttempts} stops landed inside a transaction (the
     *     process is running again then)
     */
    Frozen freezeInsideTransaction(long pid, int maxAttempts) {
        int candidates = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            // shortly after a resume the process works off what queued up while it was stopped
            RoleProcess.sleep(5 + ThreadLocalRandom.current().nextInt(60));
            Signals.Paused pause = Signals.pause(pid);
            boolean keep = false;
            try {
                RoleProcess.sleep(SETTLE_MILLIS);
                Set<Integer> ports = ProcSockets.localPorts(pid);
                Set<String> first = ids(sessions.openTransactions(ports));
                if (first.isEmpty()) {
                    continue;
                }
                candidates++;
                RoleProcess.sleep(CONFIRM_MILLIS);
                List<OpenTransaction> held = sessions.openTransactions(ports).stream()
                        .filter(t -> first.contains(key(t))).toList();
                if (!held.isEmpty()) {
                    keep = true;
                    return new Frozen(pause, held, attempt);
                }
            } finally {
                if (!keep) {
                    pause.close();
                }
            }
        }
        throw new AssertionError("none of " + maxAttempts + " SIGSTOPs of pid " + pid + " landed while it held an"
                + " open MySQL transaction (" + candidates + " times an idle one was seen, but it ended within "
                + CONFIRM_MILLIS + " ms)");
    }

    /** The idle transactions that hold row locks (a write transaction's, once it wrote or read its fence). */
    private static Set<String> ids(List<OpenTransaction> open) {
        return open.stream().filter(t -> t.idle() && t.rowsLocked() > 0).map(TransactionFreezer::key)
                .collect(Collectors.toSet());
    }

    private static String key(OpenTransaction t) {
        return t.threadId() + "/" + t.trxId();
    }
}
