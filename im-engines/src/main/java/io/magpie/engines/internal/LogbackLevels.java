package io.magpie.engines.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import org.slf4j.LoggerFactory;

/** Logback-specific half of {@link LogQuieter}; loaded only when logback is present. */
final class LogbackLevels {

    private LogbackLevels() {
    }

    static void setUnlessConfigured(Map<String, String> levels) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        levels.forEach((name, level) -> {
            Logger logger = context.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.toLevel(level));
            }
        });
    }
}
