package io.magpie.lsb;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.magpie.http.BodyLimit;
import io.magpie.registry.GateRegistry;
import io.magpie.lsb.internal.GateSelector;
import io.magpie.http.HttpsConnector;
import io.magpie.lsb.internal.LsbRoutes;
import io.magpie.lsb.internal.RegistryPoller;
import io.magpie.protocol.tls.ServerTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.magpie.http.HttpMetrics;

/**
 * The LSB role (ARCHITECTURE §2 step 2): an HTTP server that hands a client the ACTIVE gate of its app
 * and gray group that is least loaded relative to its capacity, in the client's zone when it has one there.
 *
 * <p>Endpoints (documented in {@code openapi/lsb.yaml}, served at {@code GET /openapi.yaml}):
 * {@code GET /v1/gate?appId=&gray=&zone=} (where to connect, or 503 {@code NO_GATE}), {@code GET /v1/gates}
 * (every registered gate's client ports, zone, capacity and load; never an internal port), {@code GET /admin/v1/gates}
 * (the operator view with internal ports, bearer {@code lsb.admin-token}), {@code GET /health/live}, {@code GET /health/ready} (ready
 * while the gate registry was read successfully within {@link LsbConfig#readinessStaleness()}).
 *
 * <p>The registry is read on a dedicated thread every {@link LsbConfig#registryPollInterval()},
 * never per request; requests are answered from that in-memory view plus this LSB's own recent
 * assignments (several LSBs each count only their own).
 *
 * <p>Lifecycle: construct, {@link #start()} once (reads the registry, then listens), {@link #close()}
 * to stop. The registry is owned by the caller and not closed here. Thread-safe.
 */
public final class LsbServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LsbServer.class);
    private static final String OPENAPI_RESOURCE = "/openapi/lsb.yaml";

    private final LsbConfig config;
    private final Clock clock;
    private final RegistryPoller poller;
    private final Javalin app;
    private boolean started;

    public LsbServer(LsbConfig config, GateRegistry registry, Clock clock) {
        this(config, registry, clock, null);
    }

    /** @param meters where each request's timer goes ({@code magpie_http_requests_seconds}, {@code role="lsb"}); null = none */
    public LsbServer(LsbConfig config, GateRegistry registry, Clock clock,
            MeterRegistry meters) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        GateSelector selector = new GateSelector(config.assignmentWindow(), config.gateReportMaxAge(), clock);
        this.poller = new RegistryPoller(registry, selector, clock, config.registryPollInterval(),
                config.registryReadTimeout());
        LsbRoutes routes = new LsbRoutes(selector, poller::lastSuccessMillis, clock, config.readinessStaleness(),
                openApiDocument(), config.adminToken());
        // read the certificate now: a bad file fails the LSB before it listens
        ServerTls tls = config.tls().enabled() ? ServerTls.load(config.tls()) : null;
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jsonMapper(new JavalinJackson(new ObjectMapper(), false));
            config.cors().install(cfg);
            // every route is a GET; a body is never read, and one over the limit is refused all the same
            BodyLimit.install(cfg, BodyLimit.DEFAULT_MAX_BYTES);
            if (meters != null) {
                HttpMetrics.install(cfg, meters, "lsb");
            }
            if (tls != null) {
                cfg.jetty.addConnector((server, http) -> HttpsConnector.create(server, http, tls, config.host(),
                        config.httpPort()));
            }
        });
        routes.register(app);
    }

    /**
     * Reads the registry once, then starts polling and listening.
     *
     * @throws IllegalStateException if already started or the HTTP port cannot be bound
     */
    public synchronized LsbServer start() {
        if (started) {
            throw new IllegalStateException("LSB already started on port " + app.port());
        }
        started = true;
        poller.start();
        try {
            app.start(config.host(), config.httpPort());
        } catch (RuntimeException e) {
            poller.close();
            throw new IllegalStateException("LSB could not listen on " + config.host() + " port "
                    + config.httpPort() + " (lsb.host, lsb.port); is another process using it?", e);
        }
        log.info("[lsb] listening on {} {} port {}, polling the gate registry every {} ms; admin endpoints {}",
                config.tls().enabled() ? "https" : "http", config.host(), app.port(),
                config.registryPollInterval().toMillis(), config.adminEnabled() ? "on (bearer lsb.admin-token)" : "off");
        return this;
    }

    /** The HTTP port actually bound (the ephemeral one when configured with 0); valid after start. */
    public int port() {
        return app.port();
    }

    /**
     * Live, for the process's health listener: always, as {@code GET /health/live} on {@code lsb.port} answers.
     * A failing registry read is retried by the poller itself, so nothing here needs a restart.
     */
    public boolean live() {
        return true;
    }

    /**
     * Ready, for the process's health listener: started, and the last successful registry read is at most
     * {@link LsbConfig#readinessStaleness()} old (the same rule as {@code GET /health/ready} on {@code lsb.port}).
     */
    public synchronized boolean ready() {
        long last = poller.lastSuccessMillis();
        return started && last >= 0 && clock.millis() - last <= config.readinessStaleness().toMillis();
    }

    /** Stops listening and polling. Idempotent. */
    @Override
    public synchronized void close() {
        app.stop();
        if (started) {
            // the stop order is documented (operations.md §5) and tested from the log
            log.info("[lsb] stop: HTTP listener closed");
        }
        poller.close();
        if (started) {
            log.info("[lsb] stopped");
        }
        started = false;
    }

    private static byte[] openApiDocument() {
        try (InputStream in = LsbServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + OPENAPI_RESOURCE
                        + " is missing from the im-lsb jar; the build is broken");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + OPENAPI_RESOURCE, e);
        }
    }
}
