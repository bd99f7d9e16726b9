package io.magpie.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log event, one line each (docs/operations.md §6): {@code timestamp} (ISO-8601 with
 * date, milliseconds and zone offset), {@code level}, {@code logger}, {@code thread}, {@code message} (the
 * formatted message, identity prefix included), {@code exception} (the stack trace as one string, only
 * when the event has one), then every SLF4J key-value pair of the event ({@code gate}, {@code conn},
 * {@code uid}, {@code device}, {@code conversation}, ... as the code adds them) and every MDC entry as a
 * field of its own. Numbers stay numbers; anything else is written as its {@code toString()}. A key that
 * is already a field of the line is left out (the first one wins), so a line never has a key twice.
 *
 * <p>Logback's own {@code JsonEncoder} nests key-values in a list and the throwable in an object and writes
 * the time as epoch milliseconds, which is why this small encoder exists. Thread-safety: as every logback
 * encoder, called by one appender under its lock; {@link #encode} keeps no state between events.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

    private static final byte[] NO_BYTES = new byte[0];
    private static final List<String> FIXED_FIELDS = List.of("timestamp", "level", "logger", "thread", "message",
            "exception");

    private final JsonFactory json = new JsonFactory();
    private DateTimeFormatter timestamps = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());

    /** The zone of {@code timestamp} ({@code UTC}, {@code Europe/Paris}, ...); the JVM's default zone if unset. */
    public void setZone(String zone) {
        timestamps = timestamps.withZone(ZoneId.of(zone));
    }

    @Override
    public byte[] headerBytes() {
        return NO_BYTES;
    }

    @Override
    public byte[] footerBytes() {
        return NO_BYTES;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", timestamps.format(event.getInstant()));
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", event.getFormattedMessage());
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            }
            Set<String> written = new HashSet<>(FIXED_FIELDS);
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    writeField(g, written, pair.key, pair.value);
                }
            }
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (Map.Entry<String, String> e : mdc.entrySet()) {
                    writeField(g, written, e.getKey(), e.getValue());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            // a ByteArrayOutputStream does not fail; Jackson only declares it
            throw new UncheckedIOException("could not write a log event as JSON", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeField(JsonGenerator g, Set<String> written, String key, Object value)
            throws IOException {
        if (key == null || !written.add(key)) {
            return;
        }
        g.writeFieldName(key);
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString(value.toString());
        }
    }
}
