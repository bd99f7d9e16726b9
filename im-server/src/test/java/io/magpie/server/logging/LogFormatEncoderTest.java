package io.magpie.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogFormatEncoderTest {

    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void jsonLineHasTheTimeWithDateAndZoneTheLevelLoggerThreadMessageAndTheIdentityAsFieldsOfTheirOwn()
            throws Exception {
        Capture capture = new Capture("json");
        capture.logger.atInfo().addKeyValue("gate", "gate-1").addKeyValue("conn", 7L).addKeyValue("uid", 42L)
                .addKeyValue("device", "phone").log("{} logged in over {}", "[gate=gate-1 conn=7 uid=42 device=phone]",
                        "tcp");

        JsonNode line = mapper.readTree(capture.singleLine());
        OffsetDateTime time = OffsetDateTime.parse(line.get("timestamp").asText()); // date, time and offset
        assertTrue(time.getYear() >= 2024, line.toString());
        assertEquals("INFO", line.get("level").asText());
        assertEquals("io.magpie.test.Login", line.get("logger").asText());
        assertEquals(Thread.currentThread().getName(), line.get("thread").asText());
        assertEquals("[gate=gate-1 conn=7 uid=42 device=phone] logged in over tcp", line.get("message").asText());
        assertEquals("gate-1", line.get("gate").asText());
        assertEquals(7, line.get("conn").asLong());
        assertTrue(line.get("uid").isNumber(), "uid stays a number: " + line);
        assertEquals(42, line.get("uid").asLong());
        assertEquals("phone", line.get("device").asText());
        assertFalse(line.has("exception"), "no exception field without an exception: " + line);
    }

    @Test
    void anExceptionIsOneStringFieldWithItsStackTraceAndTheLineStaysOneLine() throws Exception {
        Capture capture = new Capture("json");
        IllegalStateException failure = new IllegalStateException("redis \"down\"\nreally",
                new java.io.IOException("connection refused"));
        // a throwable as the last argument of the fluent API is the event's exception, as with log.warn(...)
        capture.logger.atWarn().addKeyValue("conversation", "s_1_2").log("{} could not store", "[conversation s_1_2]",
                failure);

        String text = capture.output();
        assertEquals(1, text.lines().count(), "one event, one line: " + text);
        JsonNode line = mapper.readTree(text);
        assertEquals("WARN", line.get("level").asText());
        assertEquals("[conversation s_1_2] could not store", line.get("message").asText());
        assertEquals("s_1_2", line.get("conversation").asText());
        String exception = line.get("exception").asText();
        assertTrue(exception.startsWith("java.lang.IllegalStateException: redis \"down\"\nreally"), exception);
        assertTrue(exception.contains("\tat io.magpie.server.logging.LogFormatEncoderTest"), exception);
        assertTrue(exception.contains("Caused by: java.io.IOException: connection refused"), exception);
    }

    @Test
    void mdcEntriesAreFieldsTooAndAKeyNeverAppearsTwice() throws Exception {
        Capture capture = new Capture("json");
        MDC.put("request", "r-1");
        MDC.put("uid", "99");
        try {
            capture.logger.atInfo().addKeyValue("uid", 42L).addKeyValue("level", "not the level").log("hello");
        } finally {
            MDC.remove("request");
            MDC.remove("uid");
        }
        String text = capture.singleLine();
        JsonNode line = mapper.readTree(text);
        assertEquals("INFO", line.get("level").asText(), "a key-value cannot replace a fixed field");
        assertEquals(42, line.get("uid").asLong(), "the event's own key-value wins over the MDC");
        assertEquals("r-1", line.get("request").asText());
        List<String> names = fieldNames(line);
        assertEquals(names.stream().distinct().count(), names.size(), "no duplicate keys: " + text);
        assertEquals(text.indexOf("\"uid\""), text.lastIndexOf("\"uid\""), text);
    }

    @Test
    void textIsTheDefaultAndUnchangedTheKeyValuesStayOutOfTheLine() {
        Capture capture = new Capture(null);
        capture.logger.atInfo().addKeyValue("uid", 42L).log("{} logged in", "[gate=g conn=1 uid=42 device=d]");
        String line = capture.singleLine();
        assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+\\] io\\.magpie\\.test\\.Login - "
                + "\\[gate=g conn=1 uid=42 device=d\\] logged in"), line);
    }

    @Test
    void anUnknownFormatIsReportedAndTheTextLineKept() {
        Capture capture = new Capture("xml");
        capture.logger.info("still logged");
        assertTrue(capture.singleLine().endsWith("io.magpie.test.Login - still logged"), capture.output());
        assertEquals("text", capture.encoder.format());
        assertTrue(capture.context.getStatusManager().getCopyOfStatusList().stream()
                .anyMatch(s -> s.getLevel() == Status.WARN && s.getMessage().contains("'xml'")),
                "logback's status names the bad value");
    }

    @Test
    void theShippedLogbackXmlSwitchesToJsonOnMagpieLogFormat() throws Exception {
        assertEquals("json", shippedEncoder("json").format());
        assertEquals("json", shippedEncoder("JSON").format());
        assertEquals("text", shippedEncoder(null).format());
    }

    private static LogFormatEncoder shippedEncoder(String format) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        if (format != null) {
            // logback reads ${MAGPIE_LOG_FORMAT} from the context first, then system properties, then the environment
            context.putProperty("MAGPIE_LOG_FORMAT", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        URL xml = LogFormatEncoder.class.getResource("/logback.xml");
        configurator.doConfigure(xml);
        try {
            var appender = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME)
                    .getAppender("STDOUT");
            Encoder<ILoggingEvent> encoder = appender.getEncoder();
            return assertInstanceOf(LogFormatEncoder.class, encoder);
        } finally {
            context.stop();
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    /** A logger context of its own whose one appender writes through a {@link LogFormatEncoder} into memory. */
    private static final class Capture {
        final LoggerContext context = new LoggerContext();
        final LogFormatEncoder encoder = new LogFormatEncoder();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Logger logger;

        Capture(String format) {
            context.setMDCAdapter(MDC.getMDCAdapter()); // the one MDC.put writes to
            encoder.setContext(context);
            encoder.setFormat(format);
            encoder.setPattern(PATTERN);
            encoder.start();
            OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
            appender.setContext(context);
            appender.setEncoder(encoder);
            appender.setOutputStream(bytes);
            appender.start();
            logger = context.getLogger("io.magpie.test.Login");
            logger.addAppender(appender);
        }

        String output() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        String singleLine() {
            List<String> lines = output().lines().toList();
            assertEquals(1, lines.size(), () -> output() + context.getStatusManager().getCopyOfStatusList());
            return lines.get(0);
        }
    }
}
