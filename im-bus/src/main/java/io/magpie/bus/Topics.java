package io.magpie.bus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka topic and consumer group names of one deployment, all under one prefix (default
 * {@value #DEFAULT_PREFIX}): {@code upstream} (key conversation id, value {@code UpstreamEnvelope}),
 * {@code push} (value {@code PushTask}), {@code offline} (key uid, value {@code OfflineTask}).
 *
 * <p>Immutable and thread-safe.
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "magpie.";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");
    private static final long TIMEOUT_SECONDS = 30;
    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private final String prefix;

    /**
     * @param prefix letters, digits, '.', '_' and '-' only (Kafka's legal topic characters)
     */
    public Topics(String prefix) {
        Objects.requireNonNull(prefix, "topic prefix");
        if (!LEGAL.matcher(prefix).matches() || prefix.length() > 200) {
            throw new IllegalArgumentException("topic prefix may hold only [a-zA-Z0-9._-] and at most 200 characters,"
                    + " got '" + prefix + "'");
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** Raw upstream frames from gates, keyed by conversation id. */
    public String upstream() {
        return prefix + "upstream";
    }

    /** Push tasks for routers. */
    public String push() {
        return prefix + "push";
    }

    /** Notification tasks for users without a route. */
    public String offline() {
        return prefix + "offline";
    }

    /** upstream, push, offline. */
    public List<String> all() {
        return List.of(upstream(), push(), offline());
    }

    /** Consumer group of the logic role. */
    public String logicGroup() {
        return prefix + "logic";
    }

    /** Consumer group of the router role. */
    public String routerGroup() {
        return prefix + "router";
    }

    /**
     * Creates the topics that do not exist yet, with {@code partitions} partitions and the
     * broker's default replication factor. Idempotent: existing topics are left as they are
     * (also when another process creates them concurrently). Blocks up to 30 s per step.
     *
     * @return the names this call created
     * @throws KafkaException if the cluster cannot be reached or refuses
     */
    public Set<String> ensure(Admin admin, int partitions) {
        return ensure(admin, partitions, Optional.empty());
    }

    /** As {@link #ensure(Admin, int)} with an explicit replication factor. */
    public Set<String> ensure(Admin admin, int partitions, short replicationFactor) {
        return ensure(admin, partitions, Optional.of(replicationFactor));
    }

    private Set<String> ensure(Admin admin, int partitions, Optional<Short> replicationFactor) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<NewTopic> missing = new ArrayList<>();
        for (String name : all()) {
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, Optional.of(partitions), replicationFactor));
            }
        }
        Set<String> created = new LinkedHashSet<>();
        if (missing.isEmpty()) {
            return created;
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
        Set<String> raced = new HashSet<>();
        results.forEach((name, result) -> {
            try {
                await(result, "create topic " + name);
                created.add(name);
            } catch (KafkaException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                raced.add(name); // another process created it between our list and create: fine
            }
        });
        log.info("kafka: created topics {} with {} partitions{}", created, partitions,
                raced.isEmpty() ? "" : "; " + raced + " were created concurrently by another process");
        return created;
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new InterruptException("interrupted while waiting to " + what, e);
        } catch (ExecutionException e) {
            throw new KafkaException("kafka: cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("kafka: cannot " + what + " within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
