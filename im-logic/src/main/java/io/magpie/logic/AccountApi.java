package io.magpie.logic;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.ConversationRepository;
import io.magpie.registry.ActiveSessions;
import io.magpie.das.DeviceSessionRepository;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.ReadPositions;
import io.magpie.registry.RedisActiveSessions;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.RedisStore;
import io.magpie.das.GroupJoinRequests;
import io.magpie.das.GroupRepository;
import io.magpie.das.MessageStore;
import io.magpie.http.BodyLimit;
import io.magpie.http.CrossOrigin;
import io.magpie.idgen.IdGenerator;
import io.magpie.logic.internal.Access;
import io.magpie.logic.internal.AdminRoutes;
import io.magpie.logic.internal.AdminWriteRoutes;
import io.magpie.logic.internal.BroadcastJobs;
import io.magpie.logic.internal.OperatorWrites;
import io.magpie.logic.internal.ClusterStats;
import io.magpie.logic.internal.UserInspector;
import io.magpie.logic.internal.UserModeration;
import io.magpie.das.UserRestrictions;
import io.magpie.registry.RouteTable;
import io.magpie.logic.internal.AccountService;
import io.magpie.logic.internal.AdminAuth;
import io.magpie.logic.internal.DeviceSessionService;
import io.magpie.logic.internal.LoginLimiter;
import io.magpie.logic.internal.MediaPurger;
import io.magpie.logic.internal.MediaRoutes;
import io.magpie.logic.internal.MediaService;
import io.magpie.logic.internal.MediaUrlSigner;
import io.magpie.logic.media.BlobStore;
import io.magpie.logic.media.BlobStores;
import io.magpie.das.MediaObjects;
import io.magpie.logic.internal.RedisLoginLimiter;
import io.magpie.logic.internal.RedisUploadLimiter;
import io.magpie.logic.internal.UploadLimiter;
import io.magpie.logic.internal.RefreshTokens;
import io.magpie.logic.internal.SessionApiRoutes;
import io.magpie.logic.internal.SessionKicker;
import io.magpie.logic.internal.ApiException;
import io.magpie.logic.internal.BearerAuth;
import io.magpie.logic.internal.GroupRoutes;
import io.magpie.logic.internal.GroupService;
import io.magpie.logic.internal.PushTaskPublisher;
import io.magpie.http.HttpsConnector;
import io.magpie.logic.internal.JsonBodies;
import io.magpie.logic.internal.PasswordHasher;
import io.magpie.logic.internal.PresenceRoutes;
import io.magpie.logic.internal.ReceiptRoutes;
import io.magpie.das.PresenceSettings;
import io.magpie.das.Relations;
import io.magpie.bus.Topics;
import io.magpie.logic.internal.ReceiptService;
import io.magpie.logic.internal.RelationRoutes;
import io.magpie.logic.internal.FriendNotices;
import io.magpie.logic.internal.SettingsRoutes;
import io.magpie.logic.internal.WebChatRoutes;
import io.magpie.logic.internal.SettingsService;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.tls.ServerTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.magpie.http.HttpMetrics;

/**
 * The account HTTP API (JSON, Javalin): register, log in for an access and a refresh token, refresh,
 * log out, change the password, an operator's kick ({@link SessionApiRoutes}), look accounts up, groups
 * (create, read, add members), friends, blocks and the direct message policy, the calling device's push token, a conversation's mute flag, health,
 * and its OpenAPI document at {@code GET /openapi.yaml}. Every call but register, login, refresh, health,
 * the document and the admin routes (admin token, {@link AdminAuth}) needs
 * {@code Authorization: Bearer <access token>} of a current session ({@link BearerAuth}); the acting uid
 * is the token's. Errors are {@code {code, message}} with a 4xx status; an unexpected fault is a 500
 * {@code INTERNAL} whose cause is logged, never sent. A body over {@link BodyLimit#DEFAULT_MAX_BYTES} is refused
 * with 413 {@code PAYLOAD_TOO_LARGE}, chunked or not, without being buffered.
 *
 * <p>Lifecycle: {@link #start()} binds (port 0 = ephemeral, see {@link #port()}), {@link #close()}
 * stops. Requests run on the HTTP server's own threads (blocking JDBC is fine there).
 */
public final class AccountApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccountApi.class);
    private static final String OPENAPI = "/openapi/accounts.yaml";
    private static final String ANSWERED = "magpie.answered";

    private final String host;
    private final int requestedPort;
    private final ServerTls tls;
    private final AccountService accounts;
    private final BearerAuth auth;
    private final AdminAuth adminAuth;
    private final SessionApiRoutes sessionRoutes;
    private final AdminRoutes adminRoutes;
    private final AdminWriteRoutes adminWriteRoutes;
    private final BroadcastJobs broadcasts;
    private final GroupRoutes groupRoutes;
    private final SettingsRoutes settingsRoutes;
    private final ReceiptRoutes receiptRoutes;
    private final RelationRoutes relationRoutes;
    private final PresenceRoutes presenceRoutes;
    private final CrossOrigin cors;
    private final WebChatRoutes webChat;
    private final MediaConfig mediaConfig;
    private final BlobStore blobs;
    private final MediaRoutes mediaRoutes;
    private final MediaPurger mediaPurger;
    private final BooleanSupplier live;
    private final BooleanSupplier ready;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final JsonBodies bodies = new JsonBodies(json);
    private final byte[] openApi;
    private Javalin app;

    /**
     * @param config     bind address and port, token secret and lifetime, PBKDF2 iterations, group limits
     * @param dataSource MySQL (accounts, groups, conversations, device tokens)
     * @param ids        where new uids, group ids and versions come from
     * @param clock      for token expiry and creation times
     * @param live       answers {@code /health/live}: false when the process should be restarted
     * @param ready      answers {@code /health/ready}: true when the role can serve
     */
    public AccountApi(LogicConfig config, DataSource dataSource, ApiIds ids, Clock clock, BooleanSupplier live,
            BooleanSupplier ready) {
        this(config, dataSource, SessionInfra.NONE, ids, clock, live, ready);
    }

    /**
     * @param sessionInfra Redis (gates' copy of the current sessions, login attempt counters) and the push
     *                     producer (KICKs of revoked sessions); {@link SessionInfra#NONE} without them
     * @see #AccountApi(LogicConfig, DataSource, ApiIds, Clock, BooleanSupplier, BooleanSupplier)
     */
    public AccountApi(LogicConfig config, DataSource dataSource, SessionInfra sessionInfra, ApiIds ids, Clock clock,
            BooleanSupplier live, BooleanSupplier ready) {
        this.host = config.httpHost();
        this.requestedPort = config.httpPort();
        // read the certificate now: a bad file fails the role before it listens
        this.tls = config.tls().enabled() ? ServerTls.load(config.tls()) : null;
        SessionSettings sessionSettings = config.sessions();
        TokenCodec tokens = new TokenCodec(sessionSettings.tokenKeys(), clock);
        AccountRepository accountTable = new AccountRepository(dataSource);
        GroupRepository groups = new GroupRepository(dataSource, clock);
        SecureRandom random = new SecureRandom();
        this.accounts = new AccountService(accountTable, ids.uids(),
                new PasswordHasher(config.pbkdf2Iterations(), random), clock);
        DeviceSessionService deviceSessions = new DeviceSessionService(new DeviceSessionRepository(dataSource),
                sessionInfra.activeSessions(), sessionInfra.kicker(), tokens, new RefreshTokens(random),
                config.tokenTtl(), sessionSettings.refreshTtl(), clock);
        this.auth = new BearerAuth(tokens, deviceSessions);
        this.adminAuth = new AdminAuth(sessionSettings.adminToken());
        UserRestrictions restrictions = new UserRestrictions(dataSource);
        UserModeration moderation = new UserModeration(accountTable, restrictions, deviceSessions, clock);
        this.sessionRoutes = new SessionApiRoutes(accounts, deviceSessions, sessionInfra.limiter(sessionSettings),
                bodies, moderation);
        RouteTable routes = sessionInfra.redis() == null ? null : new RedisRouteTable(sessionInfra.redis());
        ClusterStats stats = routes == null ? null : new ClusterStats(sessionInfra.redis(), routes);
        this.adminRoutes = new AdminRoutes(new UserInspector(accountTable, restrictions,
                new DeviceSessionRepository(dataSource), routes, clock), moderation, stats, bodies);
        this.broadcasts = stats == null || sessionInfra.producer() == null ? null : new BroadcastJobs(
                sessionInfra.redis(), stats, sessionInfra.producer(), sessionInfra.pushTopic(), ids.versions(),
                config.broadcastRate(), clock);
        this.adminWriteRoutes = new AdminWriteRoutes(new OperatorWrites(accountTable, groups,
                new MessageRepository(dataSource), sessionInfra.producer(), new Topics(config.topicPrefix()).upstream(),
                clock), broadcasts, bodies);
        this.groupRoutes = new GroupRoutes(new GroupService(groups, accountTable,
                new GroupJoinRequests(dataSource, clock), new Relations(dataSource), new MessageStore(dataSource, new MessageRepository(dataSource),
                new ConversationRepository(dataSource, clock), groups), ids.groupIds(), ids.versions(), clock,
                config.maxGroupMembers(), config.largeGroupThreshold(), sessionInfra.producer() == null ? null
                : new PushTaskPublisher(sessionInfra.producer(), sessionInfra.pushTopic(), config.pushAckTimeout())),
                bodies);
        this.settingsRoutes = new SettingsRoutes(new SettingsService(new DeviceTokenRepository(dataSource),
                new ConversationRepository(dataSource, clock), groups, new ReadPositions(dataSource, clock),
                ids.versions(), clock), bodies);
        this.receiptRoutes = new ReceiptRoutes(new ReceiptService(new MessageRepository(dataSource),
                new ConversationRepository(dataSource, clock), groups, new ReadPositions(dataSource, clock),
                config.largeGroupThreshold()));
        this.relationRoutes = new RelationRoutes(dataSource, ids.versions(), sessionInfra.friendNotices(), bodies, clock);
        this.presenceRoutes = new PresenceRoutes(new PresenceSettings(dataSource, clock), bodies,
                sessionInfra.producer(), new Topics(config.topicPrefix()).upstream(), clock);
        this.cors = config.cors();
        this.webChat = new WebChatRoutes(config.webLsbUrl());
        this.mediaConfig = config.media();
        this.blobs = BlobStores.open(mediaConfig);
        try {
            byte[] urlKey = mediaConfig.urlSecret() != null ? mediaConfig.urlSecret()
                    : MediaUrlSigner.derivedKey(config.tokenSecret());
            this.mediaPurger = new MediaPurger(new MediaObjects(dataSource), blobs, clock);
            this.mediaRoutes = new MediaRoutes(mediaConfig, new MediaService(mediaConfig, blobs, new MediaObjects(dataSource), groups,
                    clock), blobs, new MediaUrlSigner(urlKey, clock, mediaConfig.urlTtl()),
                    sessionInfra.uploadLimiter(config.mediaUploads(), clock));
        } catch (IOException | RuntimeException e) {
            blobs.close();
            throw e instanceof IOException io ? new UncheckedIOException("media spool in " + mediaConfig.localDir()
                    + " cannot be created: " + io.getMessage(), io) : (RuntimeException) e;
        }
        this.live = live;
        this.ready = ready;
        this.openApi = loadOpenApi();
    }

    /**
     * Where the API's new ids come from.
     *
     * @param uids     new uids (a MySQL segment allocator, biz tag {@code uid})
     * @param groupIds new group ids (a MySQL segment allocator, biz tag {@code group})
     * @param versions user-scoped versions of conversation rows changed over HTTP (snowflake ids, the
     *                 same generator as message ids, so versions rise with time)
     */
    public record ApiIds(IdGenerator uids, IdGenerator groupIds, IdGenerator versions) {
    }

    /**
     * What the session routes need beyond MySQL.
     *
     * @param redis     the gates' copy of the current device sessions and the login attempt counters; null =
     *                  sessions are checked in MySQL only (the gates are not told) and logins are not limited
     * @param producer  publishes KICKs of revoked sessions and friend/block NOTICEs to {@code pushTopic}; null =
     *                  no live kicks and no notices
     * @param pushTopic the push topic the routers consume
     */
    public record SessionInfra(RedisStore redis, Producer<String, byte[]> producer, String pushTopic) {

        /** No Redis, no Kafka: for an API tested on its own. */
        public static final SessionInfra NONE = new SessionInfra(null, null, null);

        ActiveSessions activeSessions() {
            return redis == null ? ActiveSessions.NONE : new RedisActiveSessions(redis);
        }

        SessionKicker kicker() {
            return redis == null || producer == null ? SessionKicker.NONE
                    : new SessionKicker(new RedisRouteTable(redis), producer, pushTopic);
        }

        FriendNotices friendNotices() {
            return producer == null ? FriendNotices.NONE : new FriendNotices(producer, pushTopic);
        }

        UploadLimiter uploadLimiter(MediaUploadLimits limits, Clock clock) {
            return redis == null || !limits.enabled() ? UploadLimiter.NONE
                    : new RedisUploadLimiter(redis, limits, clock);
        }

        LoginLimiter limiter(SessionSettings s) {
            return redis == null ? LoginLimiter.UNLIMITED : new RedisLoginLimiter(redis, new RedisLoginLimiter.Limits(
                    s.loginAttemptsPerAccount(), s.loginAttemptsPerAddress(), s.refreshesPerAddress(),
                    s.loginAttemptWindow()));
        }
    }

    /** Request bodies. Absent fields are null and refused by validation with a 400. */
    record NewAccount(String username, String password, String nickname) {
    }

    record Created(long uid) {
    }

    record Profile(long uid, String username, String nickname) {
    }

    record ErrorBody(String code, String message) {
    }

    public synchronized AccountApi start() {
        return start(null);
    }

    /**
     * Starts listening; with {@code meters} every request is timed ({@code magpie_http_requests_seconds},
     * {@code role="logic"}).
     *
     * @param meters where the request timer goes; null = not timed
     */
    public synchronized AccountApi start(MeterRegistry meters) {
        if (app != null) {
            throw new IllegalStateException("account API already started on port " + app.port());
        }
        Javalin javalin = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jsonMapper(new JavalinJackson(json, false));
            BodyLimit.install(cfg, BodyLimit.DEFAULT_MAX_BYTES,
                    Map.of(MediaRoutes.UPLOAD_PATH, MediaRoutes.uploadBodyLimit(mediaConfig)));
            MediaRoutes.configure(cfg, mediaConfig);
            cors.install(cfg);
            webChat.configure(cfg);
            if (meters != null) {
                HttpMetrics.install(cfg, meters, "logic");
            }
            if (tls != null) {
                cfg.jetty.addConnector((server, http) -> HttpsConnector.create(server, http, tls, host, requestedPort));
            }
        });
        javalin.beforeMatched(adminAuth);
        javalin.beforeMatched(auth);
        javalin.post("/v1/accounts", this::register, Access.OPEN);
        sessionRoutes.register(javalin);
        adminRoutes.register(javalin);
        adminWriteRoutes.register(javalin);
        javalin.get("/v1/accounts/{uid}", this::profile);
        javalin.get("/v1/accounts", this::findByUsername);
        groupRoutes.register(javalin);
        settingsRoutes.register(javalin);
        receiptRoutes.register(javalin);
        relationRoutes.register(javalin);
        presenceRoutes.register(javalin);
        mediaRoutes.register(javalin);
        webChat.register(javalin);
        javalin.get("/health/live", this::liveness, Access.OPEN);
        javalin.get("/health/ready", this::readiness, Access.OPEN);
        javalin.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi), Access.OPEN);
        javalin.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(ANSWERED, Boolean.TRUE);
            ctx.status(e.status()).json(new ErrorBody(e.code(), e.getMessage()));
        });
        javalin.exception(Exception.class, (e, ctx) -> {
            log.error("[http {} {}] request failed", ctx.method(), ctx.path(), e);
            ctx.attribute(ANSWERED, Boolean.TRUE);
            ctx.status(500).json(new ErrorBody("INTERNAL",
                    "the server failed to handle this request; it was logged, try again later"));
        });
        // Javalin's own 404/405 for paths we do not serve: answer in our {code, message} shape too
        javalin.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) {
                ctx.json(new ErrorBody("NOT_FOUND", "no such resource: " + ctx.method() + " " + ctx.path()));
            }
        });
        javalin.error(405, ctx -> ctx.json(new ErrorBody("METHOD_NOT_ALLOWED",
                ctx.method() + " is not allowed on " + ctx.path())));
        javalin.start(host, requestedPort);
        app = javalin;
        mediaPurger.start();
        log.info("[logic] account API listening on {}://{}:{}; media in {}", tls != null ? "https" : "http", host,
                javalin.port(), blobs.describe());
        return this;
    }

    /** Whether this listener serves the web chat page at {@code /chat/} (the jar carries it, {@code web.lsb-url} set). */
    public boolean servesWebChat() {
        return webChat.enabled();
    }

    /** The bound port; only after {@link #start()}. */
    public synchronized int port() {
        if (app == null) {
            throw new IllegalStateException("account API is not started");
        }
        return app.port();
    }

    @Override
    public synchronized void close() {
        if (app != null) {
            app.stop();
            app = null;
            log.info("[logic] account API stopped");
        }
        if (broadcasts != null) {
            broadcasts.close();
        }
        mediaPurger.close();
        blobs.close();
    }

    private void register(Context ctx) throws Exception {
        NewAccount req = bodies.read(ctx, NewAccount.class);
        long uid = accounts.register(req.username(), req.password(), req.nickname());
        ctx.status(201).json(new Created(uid));
    }

    private void profile(Context ctx) throws Exception {
        String raw = ctx.pathParam("uid");
        long uid;
        try {
            uid = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("uid must be a positive integer");
        }
        Account a = accounts.find(uid).orElseThrow(() ->
                new ApiException(404, "NOT_FOUND", "no account with uid " + uid));
        ctx.json(new Profile(a.uid(), a.username(), a.nickname()));
    }

    /** {@code GET /v1/accounts?username=NAME}: how a client finds the uid to send to. */
    private void findByUsername(Context ctx) throws Exception {
        String username = ctx.queryParam("username");
        if (username == null || username.isBlank()) {
            throw ApiException.badRequest("query parameter username is required, e.g. /v1/accounts?username=bob");
        }
        if (username.length() > 64) {
            throw ApiException.badRequest("username is " + username.length() + " characters, more than 64");
        }
        Account a = accounts.findByUsername(username).orElseThrow(() ->
                new ApiException(404, "NOT_FOUND", "no account with username '" + username + "'"));
        ctx.json(new Profile(a.uid(), a.username(), a.nickname()));
    }

    private void liveness(Context ctx) {
        boolean up = live.getAsBoolean();
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN"));
    }

    private void readiness(Context ctx) {
        boolean up = ready.getAsBoolean();
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN"));
    }

    private static byte[] loadOpenApi() {
        try (InputStream in = AccountApi.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI + " is missing from the classpath; the jar is incomplete");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + OPENAPI, e);
        }
    }
}
