package io.magpie.das.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MySQL session of the single writer of a set of partitions, kept between its fenced transactions (and the
 * reads of a batch before its transaction, {@code MessageStore#lookup}).
 *
 * <p>A fenced transaction needs the session in manual commit and with a short {@code wait_timeout} (a
 * frozen writer's transaction must end so a new owner's claim passes). Borrowing a pooled connection per
 * transaction and setting both up, then restoring them, took five round trips beside the transaction's
 * own four of the time ({@code SET autocommit=0}, {@code SET SESSION wait_timeout}, then after the commit the
 * restore, the pool's rollback and {@code SET autocommit=1}). Held, the session is set up once and each
 * transaction is only its own statements (two round trips for a one-to-one batch, see {@code MessageStore}).
 *
 * <p>The server closes a session idle for {@code wait_timeout}, so one idle for more than
 * {@code maxIdleNanos} (half that timeout) is not used again: it goes back to the pool with the server's
 * idle timeout restored (aborted instead once idle for the whole timeout: the server closed it), and a fresh
 * one is set up; a session whose transaction failed is aborted and a fresh
 * one set up too. Owned by one thread: the first to {@link #acquire}; other threads get
 * {@code null} and borrow as before.
 */
public final class WriterSession {

    /** Sets a borrowed session up for fenced transactions, or back for the pool (manual commit is set here). */
    @FunctionalInterface
    public interface SessionChange {
        void apply(Connection connection) throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(WriterSession.class);

    private final DataSource dataSource;
    private final SessionChange setup;
    private final SessionChange teardown;
    private final long maxIdleNanos;
    private final LongSupplier nanoTime;
    private volatile Thread owner;
    private Connection held;
    /** The owner acquired the held session and has not released or discarded it yet. */
    private boolean inUse;
    private long lastUsedNanos;

    /**
     * @param setup        bounds a borrowed session's idle time for fenced transactions
     * @param teardown     restores the server's idle timeout before the session goes back to the pool
     * @param maxIdleNanos a held session idle for longer is replaced (half the bounded idle time)
     */
    public WriterSession(DataSource dataSource, SessionChange setup, SessionChange teardown, long maxIdleNanos,
            LongSupplier nanoTime) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.setup = Objects.requireNonNull(setup, "setup");
        this.teardown = Objects.requireNonNull(teardown, "teardown");
        if (maxIdleNanos <= 0) {
            throw new IllegalArgumentException("maxIdleNanos must be positive, got " + maxIdleNanos);
        }
        this.maxIdleNanos = maxIdleNanos;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * The held session, set up (manual commit, no transaction open), or null when the caller is not the
     * owning thread. The owner must {@link #released release} or {@link #discard} it before acquiring it again.
     *
     * @throws IllegalStateException when the owner acquires it again before that: a read or a transaction run
     *                               inside another one's (from a transaction's planner) would commit or roll back the
     *                               outer transaction half done
     */
    public Connection acquire() throws SQLException {
        Thread me = Thread.currentThread();
        if (owner == null) {
            synchronized (this) {
                if (owner == null) {
                    owner = me;
                }
            }
        }
        if (owner != me) {
            return null;
        }
        if (inUse) {
            throw new IllegalStateException("the writer's MySQL session is already in use by a transaction or read of"
                    + " this thread that has not ended: do not read or write through the store from inside a"
                    + " transaction's planner");
        }
        long idleNanos = nanoTime.getAsLong() - lastUsedNanos;
        if (held != null && idleNanos > maxIdleNanos) {
            Connection idle = held;
            held = null;
            if (idleNanos >= 2 * maxIdleNanos) {
                // idle for the whole bounded timeout: the server has closed it, and restoring it would only
                // fail (the pool logs every such failure as a broken connection with its stack trace)
                abort(idle);
            } else {
                giveBack(idle);
            }
        }
        if (held == null) {
            Connection fresh = dataSource.getConnection();
            try {
                fresh.setAutoCommit(false);
                setup.apply(fresh);
            } catch (SQLException | RuntimeException e) {
                giveBack(fresh);
                throw e;
            }
            held = fresh;
        }
        inUse = true;
        return held;
    }

    /** The transaction on the held session ended (committed or rolled back) and it may be used again. */
    public void released() {
        inUse = false;
        lastUsedNanos = nanoTime.getAsLong();
    }

    /**
     * The held session's transaction failed: it is not used again. It is aborted, not rolled back: a
     * session that failed because MySQL stopped answering would make a rollback wait out the socket timeout
     * (30 s) a second time, and closing the socket makes the server roll back what was open anyway. The
     * pool drops the aborted session.
     */
    public void discard() {
        inUse = false;
        Connection c = held;
        held = null;
        if (c != null) {
            abort(c);
        }
    }

    private void abort(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("aborting the writer's MySQL session failed ({}); closing it", e.toString());
        } finally {
            evictFromPool();
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("returning the writer's aborted MySQL session failed: {}", e.toString());
            }
        }
    }

    /**
     * Marks the pool's sessions evicted (the idle are closed, the held one when it is closed), so closing the
     * aborted one is quiet: HikariCP restores a returned session's auto-commit, which fails on a closed socket,
     * and logs that failure as a broken connection with its stack trace unless the session was evicted. The
     * writer's pool holds this session and at most one other.
     */
    private void evictFromPool() {
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                HikariPoolMXBean pool = dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();
                if (pool != null) {
                    pool.softEvictConnections();
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("evicting the writer's aborted MySQL session from its pool failed: {}", e.toString());
        }
    }

    /**
     * Back to the pool as any other session: the server's idle timeout restored, then closed (the pool
     * rolls back what is open and restores auto-commit). A session the server already closed fails the
     * restore and is dropped by the pool on close.
     */
    private void giveBack(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
            teardown.apply(c);
        } catch (SQLException e) {
            log.debug("restoring the writer's MySQL session failed ({}); the pool drops it", e.toString());
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("returning the writer's MySQL session failed: {}", e.toString());
            }
        }
    }
}
