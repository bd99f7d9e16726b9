package io.magpie.server.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint of a running {@code magpie cluster}, on 127.0.0.1 only, every request with the
 * bearer token from {@link ControlFile}:
 * {@code GET /v1/processes} (every process with its state, pid, ports, health URL and log),
 * {@code POST /v1/processes?role=gate|logic|router|lsb|notifier} (starts one, answers once it is ready),
 * {@code DELETE /v1/processes/{name}} (stops it with SIGTERM; a gate drains). Errors are
 * {@code {code, message}}.
 *
 * <p>Started and closed by {@code ClusterCommand}; closing deletes the control file.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    private final Javalin javalin;
    private final Path file;

    private ControlServer(Javalin javalin, Path file) {
        this.javalin = javalin;
        this.file = file;
    }

    /** Binds an ephemeral loopback port and writes {@link ClusterLayout#controlFile()}. */
    public static ControlServer start(ClusterSupervisor supervisor, ClusterLayout layout) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        Javalin javalin = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jsonMapper(new JavalinJackson(new ObjectMapper(), false));
        });
        javalin.before(ctx -> authorise(ctx, token));
        javalin.get("/v1/processes", ctx -> ctx.json(ProcessView.of(supervisor.processes())));
        javalin.post("/v1/processes", ctx -> {
            String role = ctx.queryParam("role");
            if (role == null) {
                throw new ClusterException("POST /v1/processes needs ?role=gate|logic|router|lsb|notifier");
            }
            log.info("[cluster] admin: adding a {} process", role);
            ctx.status(201).json(ProcessView.of(List.of(supervisor.add(ProcessPlan.role(role)))).get(0));
        });
        javalin.delete("/v1/processes/{name}", ctx -> {
            String name = ctx.pathParam("name");
            log.info("[cluster] admin: stopping {}", name);
            ctx.json(ProcessView.of(List.of(supervisor.stop(name))).get(0));
        });
        javalin.exception(ClusterException.class, (e, ctx) -> error(ctx, 400, "CLUSTER", e.getMessage()));
        javalin.exception(Exception.class, (e, ctx) -> {
            log.warn("[cluster] admin request {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "INTERNAL", e.toString());
        });
        javalin.start("127.0.0.1", 0);
        ControlServer server = new ControlServer(javalin, layout.controlFile());
        try {
            new ControlFile(javalin.port(), token, ProcessHandle.current().pid()).write(layout.controlFile());
        } catch (RuntimeException e) {
            javalin.stop(); // nobody could reach it without the file, and nobody would stop it
            throw e;
        }
        log.info("[cluster] admin endpoint on 127.0.0.1:{} (token in {})", javalin.port(), layout.controlFile());
        return server;
    }

    private static void authorise(Context ctx, String token) {
        String header = ctx.header("Authorization");
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (header == null || !MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
            error(ctx, 401, "UNAUTHORIZED", "a bearer token from control.json is required");
            ctx.skipRemainingHandlers();
        }
    }

    private static void error(Context ctx, int status, String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        ctx.status(status).json(body);
    }

    public int port() {
        return javalin.port();
    }

    @Override
    public void close() throws Exception {
        javalin.stop();
        Files.deleteIfExists(file);
    }
}
