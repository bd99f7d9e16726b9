package io.magpie.engines.internal;

import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Turns the embedded servers' INFO chatter down to WARN (a few loggers to ERROR): Kafka's broker alone logs thousands of
 * INFO lines a run. Only possible when logback is the slf4j backend, and only for loggers the
 * application's logging configuration leaves unset, so an explicit level always wins. Kafka
 * clients share the broker's logger names ({@code org.apache.kafka}), so they are quieted too.
 */
public final class LogQuieter {

    /** Logger name -> level; the controller warns about its empty log on every fresh start. */
    static final Map<String, String> NOISY = Map.of(
            "kafka", "WARN",
            "org.apache.kafka", "WARN",
            "org.apache.kafka.controller.QuorumController", "ERROR",
            "state.change.logger", "WARN",
            "ch.vorburger", "WARN");

    private LogQuieter() {
    }

    public static void quiet() {
        quiet(NOISY);
    }

    /**
     * Before the embedded broker stops for good: its controller channel warns "Attempting to close
     * NetworkClient that has already been closed" on every shutdown, a harmless double close inside
     * Kafka. The clients sharing that logger belong to roles that stopped before the broker.
     */
    public static void quietBrokerStop() {
        quiet(Map.of("org.apache.kafka.clients.NetworkClient", "ERROR"));
    }

    private static void quiet(Map<String, String> levels) {
        String backend = LoggerFactory.getILoggerFactory().getClass().getName();
        if (backend.equals("ch.qos.logback.classic.LoggerContext")) {
            LogbackLevels.setUnlessConfigured(levels);
        } else {
            LoggerFactory.getLogger(LogQuieter.class).debug(
                    "slf4j backend {} is not logback: leaving server log levels alone", backend);
        }
    }
}
