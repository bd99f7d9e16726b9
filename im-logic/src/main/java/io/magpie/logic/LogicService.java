package io.magpie.logic;

import io.magpie.hooks.BeforeSendHook;
import io.magpie.logic.internal.ContentValidator;
import io.magpie.logic.internal.SendHooks;
import io.magpie.logic.internal.LogicMetrics;
import io.magpie.logic.internal.RedisSendLimiter;
import io.magpie.logic.internal.SendLimiter;
import io.magpie.logic.internal.SendRequestParser;
import io.magpie.logic.internal.WordFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.magpie.das.AccountRepository;
import io.magpie.das.ConversationRepository;
import io.magpie.das.Database;
import io.magpie.das.GroupRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.GroupJoinRequests;
import io.magpie.das.MessageStore;
import io.magpie.das.Relations;
import io.magpie.das.PartitionFenceRepository;
import io.magpie.registry.RedisStore;
import io.magpie.das.MessageChanges;
import io.magpie.das.MessageRecalls;
import io.magpie.das.OwnHistory;
import io.magpie.das.ReadPositions;
import io.magpie.das.UnreadCounts;
import io.magpie.bus.Topics;
import io.magpie.idgen.ConversationSeqAllocator;
import io.magpie.idgen.RedisWorkerIdLease;
import io.magpie.idgen.SegmentIdAllocator;
import io.magpie.idgen.SnowflakeConfig;
import io.magpie.idgen.SnowflakeIdGenerator;
import io.magpie.idgen.WorkerIdLease;
import io.magpie.bus.Backoff;
import io.magpie.bus.BusClients;
import io.magpie.bus.ConsumerLoop;
import io.magpie.logic.internal.AdminOpProcessor;
import io.magpie.logic.internal.GroupOpProcessor;
import io.magpie.logic.internal.SystemMessageWriter;
import io.magpie.logic.internal.GroupOps;
import io.magpie.logic.internal.MessageAssigner;
import io.magpie.logic.internal.PartitionFences;
import io.magpie.logic.internal.PresenceAnnouncer;
import io.magpie.logic.internal.PresenceQueryHandler;
import io.magpie.logic.internal.PresenceWatcherSet;
import io.magpie.logic.internal.SignalProcessor;
import io.magpie.logic.internal.TypingProcessor;
import io.magpie.das.PresenceSettings;
import io.magpie.registry.PresenceWatches;
import io.magpie.registry.RedisRouteTable;
import io.magpie.logic.internal.PullHandler;
import io.magpie.logic.internal.OwnHistoryProcessor;
import io.magpie.logic.internal.PushTaskPublisher;
import io.magpie.logic.internal.ReadProcessor;
import io.magpie.logic.internal.MessageChangeProcessor;
import io.magpie.logic.internal.RecallProcessor;
import io.magpie.logic.internal.QueryBacklog;
import io.magpie.logic.internal.QueryProcessor;
import io.magpie.logic.internal.QueryStage;
import io.magpie.logic.internal.RecipientAuthorizer;
import io.magpie.logic.internal.SendBatchProcessor;
import io.magpie.logic.internal.SenderMutes;
import io.magpie.das.UserRestrictions;
import io.magpie.logic.internal.SlowWriteWarning;
import io.magpie.logic.internal.SyncCursor;
import io.magpie.logic.internal.SyncHandler;
import io.magpie.logic.internal.UpstreamBatchProcessor;
import io.magpie.logic.internal.UpstreamConsumer;
import io.magpie.logic.internal.UpstreamParser;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Objects;

/**
 * The logic role: the account HTTP API (step 1, plus groups, push tokens and mute) and the upstream
 * pipeline (steps 5 and 6: dedupe, authorise, assign ids and seqs, persist, push tasks, then commit;
 * and step 9's SYNC / PULL answers). This class is the composition
 * root: it wires everything from a {@link LogicConfig}, the MySQL {@link Database}, the
 * {@link RedisStore} and a {@link Clock}.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once; close is graceful: the consumer is
 * woken, the batch in flight finishes and commits, then the producer, the HTTP API and the worker id
 * lease are released. The database and Redis store are owned by the caller. Thread-safe.
 */
public final class LogicService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogicService.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final LogicConfig config;
    private final Database database;
    private final RedisStore redis;
    private final Clock clock;
    private ScheduledExecutorService leaseRenewer;
    private WorkerIdLease lease;
    private final MeterRegistry meters;
    private KafkaClientMetrics consumerMetrics;
    private KafkaProducer<String, byte[]> producer;
    private UpstreamConsumer consumer;
    private PresenceAnnouncer presenceAnnouncer;
    private Thread consumerThread;
    private AccountApi api;
    private volatile boolean running;

    public LogicService(LogicConfig config, Database database, RedisStore redis, Clock clock) {
        this(config, database, redis, clock, new CompositeMeterRegistry());
    }

    /**
     * @param meters where the role's meters go ({@code magpie_logic_*} and the upstream consumer's
     *               {@code kafka_consumer_*}, among them its lag); owned by the caller
     */
    public LogicService(LogicConfig config, Database database, RedisStore redis, Clock clock, MeterRegistry meters) {
        this.meters = Objects.requireNonNull(meters, "meters");
        this.config = config;
        this.database = database;
        this.redis = redis;
        this.clock = clock;
    }

    public synchronized LogicService start() {
        if (consumerThread != null) {
            throw new IllegalStateException("logic service already started");
        }
        Topics topics = new Topics(config.topicPrefix());
        MessageRepository messages = new MessageRepository(database.dataSource());
        AccountRepository accounts = new AccountRepository(database.dataSource());
        try {
            leaseRenewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "logic-worker-lease");
                t.setDaemon(true);
                return t;
            });
            lease = RedisWorkerIdLease.acquire(redis.strings().sync(), redis.keys().prefix(), config.workerLeaseTtl(),
                    leaseRenewer, clock);
            SnowflakeConfig snowflakeConfig = SnowflakeConfig.defaults();
            SnowflakeIdGenerator snowflake = new SnowflakeIdGenerator(lease, clock, snowflakeConfig);
            MessageAssigner assigner = new MessageAssigner(snowflake,
                    new ConversationSeqAllocator(messages::maxSeq), clock);
            ConversationRepository conversations = new ConversationRepository(database.dataSource(), clock);
            GroupRepository groups = new GroupRepository(database.dataSource(), clock);
            producer = new KafkaProducer<>(producerProperties());
            PushTaskPublisher publisher = new PushTaskPublisher(producer, topics.push(), config.pushAckTimeout(), clock);
            // fencing: a claim outlasts the write idle timeout, after which MySQL has closed a frozen writer
            PartitionFenceRepository fenceRows = new PartitionFenceRepository(database.dataSource(), clock,
                    config.writeIdleTimeout(), config.writeIdleTimeout().plusSeconds(5));
            PartitionFences fences = new PartitionFences(fenceRows, topics.upstream(),
                    config.consumerGroup() + " worker " + lease.workerId());
            OwnHistory ownHistory = new OwnHistory(database.dataSource(), clock);
            UnreadCounts unreadCounts = new UnreadCounts(database.dataSource());
            SyncCursor syncCursor = new SyncCursor(clock, config.syncVersionWindow(), snowflakeConfig.epoch());
            LogicMetrics metrics = new LogicMetrics(meters);
            // the upstream consumer thread is the single writer of its partitions: it keeps its MySQL session
            MessageStore store = new MessageStore(database.dataSource(), messages, conversations, groups, fenceRows,
                    database.writerDataSource());
            UserRestrictions restrictions = new UserRestrictions(database.dataSource());
            // one cache for the SEND and EDIT paths: both run on the upstream consumer's thread
            SenderMutes mutes = new SenderMutes(uids -> restrictions.find(uids, UserRestrictions.Kind.MUTE),
                    config.accountCacheSize(), SenderMutes.DEFAULT_TTL, clock);
            SendBatchProcessor sends = new SendBatchProcessor(messages,
                    new RecipientAuthorizer(uid -> accounts.findById(uid).isPresent(), config.accountCacheSize()),
                    groups::roster, config.largeGroupThreshold(), assigner, store,
                    new SlowWriteWarning(clock, config.syncVersionWindow()), fences, clock, metrics,
                    mutes,
                    config.rateLimits().enabled() ? new RedisSendLimiter(redis, config.rateLimits(), clock)
                            : SendLimiter.NONE,
                    config.hooks().anyBeforeSend() ? new SendHooks(new BeforeSendHook(config.hooks(), clock),
                            new ContentValidator(config.content())) : SendHooks.NONE);
            WordFilter words = null;
            if (config.wordFilter().enabled()) {
                words = WordFilter.load(config.wordFilter());
                long every = config.wordFilter().reloadInterval().toMillis();
                // a stat of one file per interval: it shares the lease renewer's thread rather than owning one
                leaseRenewer.scheduleWithFixedDelay(words::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
            }
            SendRequestParser sendParser = new SendRequestParser(new ContentValidator(config.content()), words);
            GroupOpProcessor groupOps = new GroupOpProcessor(messages, groups::roster,
                    new GroupOpProcessor.Directory(accounts, new Relations(database.dataSource()),
                            new GroupJoinRequests(database.dataSource(), clock)),
                    new GroupOps(config.maxGroupMembers()), assigner, store, fences, clock,
                    config.largeGroupThreshold());
            QueryStage queries = new QueryStage(new QueryProcessor(
                    new SyncHandler(conversations, messages, unreadCounts, ownHistory, syncCursor),
                    new PullHandler(messages, conversations, groups, ownHistory, syncCursor)),
                    publisher, new QueryBacklog(config.queryBacklog()), config.queriesPerPoll());
            api = new AccountApi(config, database.dataSource(),
                    new AccountApi.SessionInfra(redis, producer, topics.push()), new AccountApi.ApiIds(
                    new SegmentIdAllocator(database.dataSource(), "uid", config.uidSegmentStep()),
                    new SegmentIdAllocator(database.dataSource(), "group", config.groupIdSegmentStep()),
                    snowflake), clock, this::live, this::ready).start(meters);
            Relations relations = new Relations(database.dataSource());
            PresenceSettings presenceSettings = new PresenceSettings(database.dataSource(), clock);
            RedisRouteTable routes = new RedisRouteTable(redis);
            PresenceWatches watches = new PresenceWatches(redis, config.presence().watchTtl(), clock);
            presenceAnnouncer = new PresenceAnnouncer(routes, presenceSettings, new PresenceWatcherSet(relations,
                    watches), new PushTaskPublisher(producer, topics.push(), config.pushAckTimeout()),
                    config.presence(), clock);
            SignalProcessor signals = new SignalProcessor(presenceAnnouncer,
                    new PresenceQueryHandler(routes, presenceSettings, relations, watches, config.presence()),
                    new TypingProcessor(relations, groups, config.presence().typingMaxGroupSize()));
            // last: from here on only the consumer thread closes the KafkaConsumer
            KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerProperties());
            // the consumer's own metrics: records-lag-max per partition is the upstream lag
            consumerMetrics = new KafkaClientMetrics(kafka);
            consumerMetrics.bindTo(meters);
            consumer = new UpstreamConsumer(kafka, topics.upstream(),
                    new UpstreamBatchProcessor(new UpstreamParser(sendParser), sends,
                            new ReadProcessor(new ReadPositions(database.dataSource(), clock), unreadCounts, snowflake),
                            new RecallProcessor(messages, new MessageRecalls(database.dataSource(), clock), groups,
                                    snowflake, config.recallWindow(), clock),
                            new OwnHistoryProcessor(ownHistory, snowflake),
                            publisher, signals, groupOps, clock,
                            new MessageChangeProcessor(messages, new MessageChanges(database.dataSource()), groups,
                                    snowflake, config.messageChanges(), new ContentValidator(config.content()), words,
                                    mutes, clock), new AdminOpProcessor(
                            new RecallProcessor(messages, new MessageRecalls(database.dataSource(), clock), groups,
                                    snowflake, config.recallWindow(), clock),
                            new SystemMessageWriter(messages, groups::roster, assigner, store, fences,
                                    config.largeGroupThreshold()), groupOps, fences)), queries, assigner,
                    new Backoff(config.retryBackoffMin(), config.retryBackoffMax()), fences, clock, metrics);
            consumerThread = new Thread(consumer, "logic-upstream-consumer");
            running = true;
            consumerThread.start();
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        log.info("[logic] worker id {}, consuming {} as group {}, account API on port {}", lease.workerId(),
                topics.upstream(), config.consumerGroup(), api.port());
        return this;
    }

    /** Whether the account API serves the web chat page at {@code /chat/}; only after {@link #start()}. */
    public synchronized boolean servesWebChat() {
        return api != null && api.servesWebChat();
    }

    /** The account API's bound port (useful with port 0); only after {@link #start()}. */
    public synchronized int httpPort() {
        if (api == null) {
            throw new IllegalStateException("logic service is not started");
        }
        return api.port();
    }

    /**
     * Live = not a service whose upstream loop ended or is wedged (no poll returned for
     * {@link ConsumerLoop#DEFAULT_STALL_LIMIT}) while it should run: only a restart brings consumption
     * back, so the orchestrator must restart us.
     */
    public boolean live() {
        if (!running) {
            return true;
        }
        UpstreamConsumer pipeline = consumer;
        // ended, or wedged (a call that never returns): either way only a restart helps
        return pipeline == null || pipeline.status(ConsumerLoop.DEFAULT_STALL_LIMIT) == ConsumerLoop.Status.POLLING;
    }

    /** Ready = the pipeline runs (its consumer loop did not end), the worker id lease holds and MySQL answers. */
    public boolean ready() {
        if (!running) {
            return false;
        }
        // locals: release() clears these fields while a health check may be reading them
        UpstreamConsumer pipeline = consumer; // set before running: the volatile read above publishes it
        WorkerIdLease held = lease;
        if (pipeline == null || pipeline.status(ConsumerLoop.DEFAULT_STALL_LIMIT) != ConsumerLoop.Status.POLLING
                || held == null || !held.valid()) {
            return false;
        }
        try (Connection c = database.dataSource().getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            log.debug("[logic] not ready: MySQL does not answer: {}", e.toString());
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (consumerThread == null && lease == null) {
            return;
        }
        running = false;
        if (consumer != null) {
            consumer.shutdown();
            try {
                if (consumerThread != null && !consumer.awaitStopped(STOP_TIMEOUT)) {
                    log.warn("[logic] upstream consumer did not stop within {}; closing the rest anyway", STOP_TIMEOUT);
                } else if (consumerThread != null) {
                    // one INFO line per step: the stop order is documented (operations.md §5) and tested from the log
                    log.info("[logic] stop: upstream consumer closed (batch in flight done), left group {}",
                            config.consumerGroup());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        release();
        log.info("[logic] stopped");
    }

    private void release() {
        running = false;
        if (consumerMetrics != null) {
            consumerMetrics.close();
            consumerMetrics = null;
        }
        if (api != null) {
            api.close();
            api = null; // AccountApi logs "[logic] account API stopped"
        }
        if (presenceAnnouncer != null) {
            presenceAnnouncer.close();
            presenceAnnouncer = null;
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
            log.info("[logic] stop: push producer flushed and closed");
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
        if (leaseRenewer != null) {
            leaseRenewer.shutdownNow();
            try {
                leaseRenewer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            leaseRenewer = null;
        }
        consumerThread = null;
        consumer = null;
    }

    private Properties consumerProperties() {
        return BusClients.consumer(config.kafkaBootstrap(), config.consumerGroup(),
                config.consumerGroup() + "-upstream", config.maxPollRecords());
    }

    private Properties producerProperties() {
        return BusClients.producer(config.kafkaBootstrap(), config.consumerGroup() + "-push",
                (int) config.batchLinger().toMillis());
    }
}
