package io.magpie.engines.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/** Readiness of a Kafka cluster: a broker answers {@code DescribeCluster} with its nodes. */
final class KafkaProbe {

    private KafkaProbe() {
    }

    /** Waits until the cluster reports at least one node; returns "cluster X, N nodes". */
    static String awaitCluster(String bootstrap, long timeoutMs)
            throws InterruptedException, TimeoutException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "magpie-testkit-probe",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "20",
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "100"))) {
            while (System.currentTimeMillis() < deadline) {
                try {
                    DescribeClusterResult cluster = admin.describeCluster();
                    Collection<Node> nodes = cluster.nodes().get(2, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return "cluster " + cluster.clusterId().get(2, TimeUnit.SECONDS) + ", "
                                + nodes.size() + (nodes.size() == 1 ? " node" : " nodes");
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(20);
            }
        }
        TimeoutException timeout = new TimeoutException("Kafka at " + bootstrap
                + " did not answer DescribeCluster within " + timeoutMs + " ms");
        if (last != null) {
            timeout.initCause(last);
        }
        throw timeout;
    }
}
