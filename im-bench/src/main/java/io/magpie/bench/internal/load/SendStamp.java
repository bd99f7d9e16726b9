package io.magpie.bench.internal.load;

import java.nio.charset.StandardCharsets;

/**
 * The text of a bench group message when lean receivers measure it: the latency origin travels in the
 * message itself, so a receiver in another process can compute "received - sent" on the same host's wall
 * clock without asking the sender. Layout (ASCII): one flag character, {@code m} when the message's origin
 * lies in the measured window or {@code w} when it does not, then the origin in microseconds since the epoch
 * as {@value #DIGITS} decimal digits, then {@code x} up to the payload length. Stateless.
 */
public final class SendStamp {

    /** Digits of the origin: enough for any epoch microsecond until the year 2286. */
    public static final int DIGITS = 16;
    /** The shortest stamped text: flag + digits. */
    public static final int LENGTH = 1 + DIGITS;

    private SendStamp() {
    }

    /** A text of {@code max(payloadBytes, LENGTH)} characters carrying {@code originEpochMicros}. */
    public static String text(long originEpochMicros, boolean measured, int payloadBytes) {
        if (originEpochMicros < 0 || originEpochMicros >= 10_000_000_000_000_000L) {
            throw new IllegalArgumentException("origin " + originEpochMicros + " us does not fit in " + DIGITS + " digits");
        }
        StringBuilder b = new StringBuilder(Math.max(payloadBytes, LENGTH));
        b.append(measured ? 'm' : 'w');
        String digits = Long.toString(originEpochMicros);
        b.append("0".repeat(DIGITS - digits.length())).append(digits);
        while (b.length() < payloadBytes) {
            b.append('x');
        }
        return b.toString();
    }

    /** The origin in {@code text[off, off+len)}, or -1 when it is not a stamped text. */
    public static long originMicros(byte[] text, int off, int len) {
        if (len < LENGTH || (text[off] != 'm' && text[off] != 'w')) {
            return -1;
        }
        long v = 0;
        for (int i = off + 1; i < off + LENGTH; i++) {
            int d = text[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** True when the stamped text says its message is measured (its origin lies in the window). */
    public static boolean measured(byte[] text, int off, int len) {
        return len >= LENGTH && text[off] == 'm';
    }

    /** {@link #originMicros(byte[], int, int)} of a whole string (tests, diagnostics). */
    public static long originMicros(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return originMicros(b, 0, b.length);
    }
}
