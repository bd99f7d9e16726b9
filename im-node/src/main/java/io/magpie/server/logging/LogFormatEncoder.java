package io.magpie.server.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;

/**
 * The encoder of {@code logback.xml}'s stdout appender: the text line ({@link #setPattern pattern}) or one JSON
 * object per line ({@link JsonLogEncoder}), chosen once at start by {@link #setFormat format}, which the config
 * fills from {@code MAGPIE_LOG_FORMAT} (docs/operations.md §6). logback has no conditionals without Janino,
 * and naming the appender from a variable would lose every line on a typo; here an unknown format is reported
 * in logback's status output (printed at start) and the text line is kept.
 *
 * <p>Thread-safety: as every logback encoder, configured before {@link #start} and then called by one appender.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {

    private String format = "text";
    private String pattern;
    private String zone;
    private Encoder<ILoggingEvent> delegate;

    /** {@code text} (the default) or {@code json}, case-insensitive; blank means text. */
    public void setFormat(String format) {
        this.format = format == null || format.isBlank() ? "text" : format.trim().toLowerCase(Locale.ROOT);
    }

    /** The logback pattern of the text line. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    /** The zone of the JSON {@code timestamp}; the JVM's default zone if unset. */
    public void setZone(String zone) {
        this.zone = zone;
    }

    /** The format in use once started: {@code text} or {@code json}. */
    public String format() {
        return format;
    }

    @Override
    public void start() {
        if (format.equals("json")) {
            JsonLogEncoder json = new JsonLogEncoder();
            if (zone != null && !zone.isBlank()) {
                json.setZone(zone);
            }
            delegate = json;
        } else {
            if (!format.equals("text")) {
                addWarn("MAGPIE_LOG_FORMAT '" + format + "' is neither text nor json; logging text lines");
                format = "text";
            }
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            delegate = text;
        }
        delegate.setContext(getContext());
        delegate.start();
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
