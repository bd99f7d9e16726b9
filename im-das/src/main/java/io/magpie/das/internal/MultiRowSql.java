package io.magpie.das.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The text of a statement that repeats one row template per row, e.g.
 * {@code INSERT INTO t (a, b) VALUES (?,?),(?,?) ON DUPLICATE KEY UPDATE ...}, built once per row
 * count and then reused (so the driver's statement cache hits too).
 *
 * <p>Thread-safe.
 */
public final class MultiRowSql {

    private final String head;
    private final String row;
    private final String separator;
    private final String tail;
    private final int maxRows;
    private final ConcurrentMap<Integer, String> byRows = new ConcurrentHashMap<>();

    /**
     * @param head      text before the first row
     * @param row       the text of one row
     * @param separator text between two rows
     * @param tail      text after the last row
     * @param maxRows   the largest row count a caller may ask for (bounds the cache)
     */
    public MultiRowSql(String head, String row, String separator, String tail, int maxRows) {
        this.head = head;
        this.row = row;
        this.separator = separator;
        this.tail = tail;
        this.maxRows = maxRows;
    }

    /** {@code head (?,...,?),(?,...,?) tail} with {@code columns} placeholders per row. */
    public static MultiRowSql values(String head, int columns, String tail, int maxRows) {
        return new MultiRowSql(head, "(" + "?,".repeat(columns - 1) + "?)", ",", tail, maxRows);
    }

    public String forRows(int rows) {
        if (rows < 1 || rows > maxRows) {
            throw new IllegalArgumentException("row count must be 1.." + maxRows + ", got " + rows);
        }
        return byRows.computeIfAbsent(rows, this::build);
    }

    private String build(int rows) {
        StringBuilder sql = new StringBuilder(head.length() + tail.length()
                + rows * (row.length() + separator.length()));
        sql.append(head);
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                sql.append(separator);
            }
            sql.append(row);
        }
        return sql.append(tail).toString();
    }
}
