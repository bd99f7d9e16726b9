package io.magpie.das.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The script's text: every placeholder replaced by a literal that only holds digits, in order, none left over. */
class StatementScriptTest {

    @Test
    void placeholdersBecomeLiteralsInOrderAndStatementsAreJoined() throws SQLException {
        StatementScript script = new StatementScript()
                .add("INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", (p, first) -> {
                    p.setLong(first, -42L);
                    p.setInt(first + 1, 7);
                    p.setString(first + 2, "it's");
                    p.setBytes(first + 3, new byte[] {0, (byte) 0xff, '\''});
                    return first + 4;
                })
                .add("SELECT x FROM u WHERE y IN (?, ?)", (p, first) -> {
                    p.setString(first, null);
                    p.setBytes(first + 1, null);
                    return first + 2;
                });

        assertEquals("INSERT INTO t (a, b, c, d) VALUES (-42, 7, _utf8mb4 X'69742773', X'00ff27');\n"
                + "SELECT x FROM u WHERE y IN (NULL, NULL)", script.toString());
    }

    @Test
    void noCharacterOfAValueReachesTheTextButHexDigits() throws SQLException {
        String hostile = "'; DROP TABLE message; -- \\' \" ` \u0000 \u00e9 \ud83d\ude00 ?";
        String sql = new StatementScript().add("SELECT ?", (p, first) -> {
            p.setString(first, hostile);
            return first + 1;
        }).toString();

        assertTrue(sql.matches("SELECT _utf8mb4 X'[0-9a-f]*'"), sql);
        String hex = sql.substring("SELECT _utf8mb4 X'".length(), sql.length() - 1);
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        assertEquals(hostile, new String(bytes, StandardCharsets.UTF_8));
    }

    @Test
    void aBinderThatSkipsOrMissesOrOverrunsAPlaceholderIsRefused() {
        assertThrows(IllegalStateException.class, () -> new StatementScript().add("SELECT ?, ?", (p, first) -> {
            p.setLong(first + 1, 1);
            return first + 2;
        }), "out of order");
        assertThrows(IllegalStateException.class, () -> new StatementScript().add("SELECT ?, ?", (p, first) -> {
            p.setLong(first, 1);
            return first + 1;
        }), "one left unbound");
        assertThrows(IllegalStateException.class, () -> new StatementScript().add("SELECT ?", (p, first) -> {
            p.setLong(first, 1);
            p.setLong(first + 1, 2);
            return first + 2;
        }), "one more than the statement has");
    }

    @Test
    void anEmptyScriptIsEmpty() {
        assertTrue(new StatementScript().isEmpty());
        assertThrows(IllegalStateException.class, () -> new StatementScript().execute(null));
    }
}
