package io.magpie.logic.internal;

import io.lettuce.core.api.sync.RedisCommands;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SystemNotice;
import io.magpie.registry.RedisStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's broadcast to every online user, in the background: the users online when it starts (the route
 * table, {@link ClusterStats#onlineUids()}) each get a {@code NOTICE_SYSTEM_BROADCAST} on every device, at most
 * {@code ratePerSecond} users per second, in push tasks of up to {@value #MAX_CHUNK} users. Pushed only, never
 * stored per user (docs/PROTOCOL.md 9.18). Its progress (state, sent, total) is a Redis hash kept
 * {@link #KEEP} so any logic role answers {@code GET /v1/admin/broadcasts/{id}}. Jobs run one at a time on
 * this role's own thread; at close a running job stops and is marked {@code INTERRUPTED}. Thread-safe.
 */
public final class BroadcastJobs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BroadcastJobs.class);
    static final int MAX_CHUNK = 200;
    static final Duration KEEP = Duration.ofDays(7);
    private static final long SEND_WAIT_MS = 10_000;

    /** Where a broadcast stands. */
    public enum State { QUEUED, RUNNING, DONE, FAILED, INTERRUPTED }

    /** A broadcast's progress; {@code total} is 0 until it started (the users online then). */
    public record Job(long id, State state, long sent, long total, int ratePerSecond, long createdAt, long updatedAt,
                      String error) {
    }

    private final RedisStore redis;
    private final ClusterStats online;
    private final Producer<String, byte[]> producer;
    private final String pushTopic;
    private final IdGenerator ids;
    private final int ratePerSecond;
    private final Clock clock;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "logic-admin-broadcast");
        t.setDaemon(true);
        return t;
    });

    /** @param ratePerSecond most users reached per second ({@code logic.admin-broadcast-rate}) */
    public BroadcastJobs(RedisStore redis, ClusterStats online, Producer<String, byte[]> producer, String pushTopic,
            IdGenerator ids, int ratePerSecond, Clock clock) {
        this.redis = redis;
        this.online = online;
        this.producer = producer;
        this.pushTopic = pushTopic;
        this.ids = ids;
        this.ratePerSecond = ratePerSecond;
        this.clock = clock;
    }

    /** Queues a broadcast of {@code notice}; its progress is {@link #find}-able at once. */
    public Job start(SystemNotice notice) {
        long id = ids.nextId();
        long now = clock.millis();
        Job job = new Job(id, State.QUEUED, 0, 0, ratePerSecond, now, now, "");
        save(job);
        runner.execute(() -> run(job, notice.toBuilder().setBroadcastId(id).build()));
        log.info("[broadcast {}] queued: '{}', {} users per second", id, JsonBodies.abbreviate(notice.getText()),
                ratePerSecond);
        return job;
    }

    public Optional<Job> find(long id) {
        Map<String, String> h = redis.strings().sync().hgetall(key(id));
        if (h == null || h.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Job(id, State.valueOf(h.get("state")), Long.parseLong(h.get("sent")),
                Long.parseLong(h.get("total")), Integer.parseInt(h.get("rate")), Long.parseLong(h.get("createdAt")),
                Long.parseLong(h.get("updatedAt")), h.getOrDefault("error", "")));
    }

    private void run(Job queued, SystemNotice notice) {
        Job job = queued;
        try {
            List<Long> uids = online.onlineUids();
            job = progress(job, State.RUNNING, 0, uids.size(), "");
            int chunk = Math.max(1, Math.min(MAX_CHUNK, ratePerSecond / 10));
            long pauseMs = chunk * 1000L / ratePerSecond;
            byte[] body = Notice.newBuilder().setType(NoticeType.NOTICE_SYSTEM_BROADCAST).setSystemNotice(notice)
                    .build().toByteArray();
            long sent = 0;
            for (int from = 0; from < uids.size(); from += chunk) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                List<Long> part = uids.subList(from, Math.min(uids.size(), from + chunk));
                PushTask.Builder task = PushTask.newBuilder().setCommand(Command.NOTICE.code())
                        .setBody(com.google.protobuf.ByteString.copyFrom(body));
                part.forEach(uid -> task.addTargets(PushTarget.newBuilder().setUid(uid)));
                producer.send(new ProducerRecord<>(pushTopic, "b" + queued.id() + "_" + from,
                        task.build().toByteArray())).get(SEND_WAIT_MS, TimeUnit.MILLISECONDS);
                sent += part.size();
                job = progress(job, State.RUNNING, sent, uids.size(), "");
                Thread.sleep(pauseMs); // the pace: chunk users every pauseMs
            }
            job = progress(job, State.DONE, sent, uids.size(), "");
            log.info("[broadcast {}] done: {} online users reached", queued.id(), sent);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            progress(job, State.INTERRUPTED, job.sent(), job.total(), "this logic role stopped");
            log.warn("[broadcast {}] interrupted after {} of {} users: this logic role stopped", queued.id(),
                    job.sent(), job.total());
        } catch (Exception e) {
            progress(job, State.FAILED, job.sent(), job.total(), e.toString());
            log.error("[broadcast {}] failed after {} of {} users", queued.id(), job.sent(), job.total(), e);
        }
    }

    private Job progress(Job job, State state, long sent, long total, String error) {
        Job next = new Job(job.id(), state, sent, total, job.ratePerSecond(), job.createdAt(), clock.millis(), error);
        save(next);
        return next;
    }

    private void save(Job job) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("state", job.state().name());
        h.put("sent", Long.toString(job.sent()));
        h.put("total", Long.toString(job.total()));
        h.put("rate", Integer.toString(job.ratePerSecond()));
        h.put("createdAt", Long.toString(job.createdAt()));
        h.put("updatedAt", Long.toString(job.updatedAt()));
        h.put("error", job.error());
        RedisCommands<String, String> sync = redis.strings().sync();
        sync.hset(key(job.id()), h);
        sync.pexpire(key(job.id()), KEEP.toMillis());
    }

    private String key(long id) {
        return redis.keys().prefix() + "broadcast:" + id;
    }

    /** Stops the running job (marked INTERRUPTED) and drops the queued ones. */
    @Override
    public void close() {
        runner.shutdownNow();
        try {
            runner.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
