package io.magpie.das.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MultiRowSqlTest {

    @Test
    void repeatsTheRowTemplate() {
        MultiRowSql sql = MultiRowSql.values("INSERT INTO t (a, b, c) VALUES ", 3, " ON DUPLICATE KEY UPDATE a = a", 10);
        assertEquals("INSERT INTO t (a, b, c) VALUES (?,?,?) ON DUPLICATE KEY UPDATE a = a", sql.forRows(1));
        assertEquals("INSERT INTO t (a, b, c) VALUES (?,?,?),(?,?,?),(?,?,?) ON DUPLICATE KEY UPDATE a = a",
                sql.forRows(3));
    }

    @Test
    void customSeparator() {
        MultiRowSql sql = new MultiRowSql("SELECT * FROM t WHERE ", "(a = ? AND b = ?)", " OR ", "", 10);
        assertEquals("SELECT * FROM t WHERE (a = ? AND b = ?) OR (a = ? AND b = ?)", sql.forRows(2));
    }

    @Test
    void buildsEachRowCountOnce() {
        MultiRowSql sql = MultiRowSql.values("INSERT INTO t (a) VALUES ", 1, "", 10);
        assertSame(sql.forRows(7), sql.forRows(7));
    }

    @Test
    void rejectsRowCountsOutsideBounds() {
        MultiRowSql sql = MultiRowSql.values("INSERT INTO t (a) VALUES ", 1, "", 10);
        assertThrows(IllegalArgumentException.class, () -> sql.forRows(0));
        assertThrows(IllegalArgumentException.class, () -> sql.forRows(11));
    }
}
