package io.magpie.das.internal;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Values written as SQL literals that cannot change a statement's meaning, whatever they hold: numbers as
 * decimal digits, text as a hexadecimal literal of its UTF-8 bytes with the {@code _utf8mb4} introducer, bytes
 * as a hexadecimal literal, null as {@code NULL}. Nothing a value holds reaches the text but the digits
 * {@code 0-9a-f} (and a minus sign), so no quoting, escaping or {@code sql_mode} ({@code NO_BACKSLASH_ESCAPES})
 * is involved, and the bytes MySQL stores are exactly the bytes given. A hexadecimal literal is twice the size
 * of its bytes.
 */
public final class SqlLiterals {

    private static final HexFormat HEX = HexFormat.of();

    private SqlLiterals() {
    }

    public static void appendLong(StringBuilder sql, long value) {
        sql.append(value);
    }

    /** {@code _utf8mb4 X'..'} of the UTF-8 bytes of {@code value}; {@code NULL} for null. */
    public static void appendString(StringBuilder sql, String value) {
        if (value == null) {
            sql.append("NULL");
            return;
        }
        sql.append("_utf8mb4 ");
        appendHex(sql, value.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code X'..'} of {@code value}; {@code NULL} for null. */
    public static void appendBytes(StringBuilder sql, byte[] value) {
        if (value == null) {
            sql.append("NULL");
            return;
        }
        appendHex(sql, value);
    }

    private static void appendHex(StringBuilder sql, byte[] bytes) {
        sql.ensureCapacity(sql.length() + 3 + 2 * bytes.length);
        sql.append("X'");
        HEX.formatHex(sql, bytes);
        sql.append('\'');
    }
}
