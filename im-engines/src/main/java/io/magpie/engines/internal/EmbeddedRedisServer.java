package io.magpie.engines.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisExecProvider;
import redis.embedded.util.OsArchitecture;

/**
 * {@code redis-server} from the {@code org.signal:embedded-redis} jar, run as a child process on
 * a free loopback port with persistence off ({@code save ""}, {@code appendonly no}).
 *
 * <p>The library's own launcher is not used: it extracts the binary to a new temp directory on
 * every start, prints the server's stderr with {@code System.out} and closes stdout after
 * startup. Here the binary is extracted once to {@code <dataDir>/redis-<version>/}, the server's
 * output goes to {@code <slot>/redis/redis.log} and a pid file lets the next run kill a server
 * a crashed JVM left behind.
 */
public final class EmbeddedRedisServer implements RedisServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final int port;
    private final String version;
    private final PidFile pidFile;
    private boolean stopped;

    private EmbeddedRedisServer(Process process, int port, String version, PidFile pidFile) {
        this.process = process;
        this.port = port;
        this.version = version;
        this.pidFile = pidFile;
    }

    public static EmbeddedRedisServer start(Path dataDir, Path slotDir) {
        Path binary = extractBinary(dataDir);
        Path home = slotDir.resolve("redis");
        PidFile pidFile = new PidFile(home.resolve("redis-server.pid"), binary.getParent());
        pidFile.killStale("redis-server");
        int port = FreePorts.next();
        Path logFile = home.resolve("redis.log");
        Process process = null;
        try {
            Files.createDirectories(home);
            Path conf = home.resolve("redis.conf");
            Files.write(conf, List.of(
                    "port " + port,
                    "bind 127.0.0.1",
                    "protected-mode yes",
                    "daemonize no",
                    "save \"\"",
                    "appendonly no",
                    "dir " + home.toAbsolutePath(),
                    "logfile \"\""), StandardCharsets.UTF_8);
            process = new ProcessBuilder(NewSession.command(List.of(binary.toString(), conf.toString())))
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            pidFile.write(process.pid());
            awaitReady(process, port);
            String version = RedisPing.serverVersion(port);
            return new EmbeddedRedisServer(process, port, version, pidFile);
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                PidFile.stop(process.toHandle(), 5);
                pidFile.delete();
            }
            throw new IllegalStateException("redis-server in " + home + " did not start on port "
                    + port + ": " + e.getMessage() + "\n--- last lines of " + logFile + ":\n"
                    + Dirs.tail(logFile, 20), e);
        }
    }

    private static void awaitReady(Process process, int port) {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with status "
                        + process.exitValue());
            }
            if (RedisPing.ping(port)) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no PONG within " + START_TIMEOUT_MS + " ms");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for redis-server", e);
            }
        }
    }

    /** Copies the binary for this OS out of the jar unless an identical copy is there. */
    static Path extractBinary(Path dataDir) {
        String resource = "redis-server-" + RedisExecProvider.redisVersion + "-" + platform();
        URL url = RedisExecProvider.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("embedded-redis has no " + resource);
        }
        Path target = dataDir.resolve("redis-" + RedisExecProvider.redisVersion)
                .resolve("redis-server");
        try {
            URLConnection connection = url.openConnection();
            long size = connection.getContentLengthLong();
            if (Files.isExecutable(target) && Files.size(target) == size) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "redis-server", ".tmp");
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!tmp.toFile().setExecutable(true)) {
                throw new IOException("cannot chmod +x " + tmp);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            log.info("extracted {} to {}", resource, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to " + target, e);
        }
    }

    private static String platform() {
        OsArchitecture detected = OsArchitecture.detect();
        String os = switch (detected.os()) {
            case UNIX -> "linux";
            case MAC_OS_X -> "darwin";
            case WINDOWS -> throw new IllegalStateException(
                    "embedded-redis has no Windows binary: set MAGPIE_REDIS_URL");
        };
        String arch = switch (detected.arch()) {
            case x86 -> "386";
            case x86_64 -> "amd64";
            case arm64 -> "arm64";
        };
        return os + "-" + arch;
    }

    @Override
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public String describe() {
        return "redis " + version + " embedded 127.0.0.1:" + port;
    }

    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        PidFile.stop(process.toHandle(), 10);
        pidFile.delete();
        log.debug("redis-server on port {} stopped", port);
    }
}
