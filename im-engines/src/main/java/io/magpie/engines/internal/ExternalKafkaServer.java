package io.magpie.engines.internal;

import java.util.concurrent.TimeoutException;

/** A Kafka cluster someone else runs; checked with {@code DescribeCluster} at start. */
public final class ExternalKafkaServer implements KafkaServer {

    private final String bootstrap;
    private final String cluster;

    private ExternalKafkaServer(String bootstrap, String cluster) {
        this.bootstrap = bootstrap;
        this.cluster = cluster;
    }

    public static ExternalKafkaServer connect(String bootstrap) {
        try {
            return new ExternalKafkaServer(bootstrap, KafkaProbe.awaitCluster(bootstrap, 15_000));
        } catch (TimeoutException e) {
            throw new IllegalStateException("external Kafka " + bootstrap
                    + " (MAGPIE_KAFKA_BOOTSTRAP) is not reachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing Kafka " + bootstrap, e);
        }
    }

    @Override
    public String bootstrap() {
        return bootstrap;
    }

    @Override
    public String describe() {
        return "kafka external " + bootstrap + " (" + cluster + ")";
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
