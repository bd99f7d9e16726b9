package io.magpie.engines.internal;

/** A running Kafka cluster. */
public interface KafkaServer extends RunningServer {

    /** {@code bootstrap.servers} value. */
    String bootstrap();
}
