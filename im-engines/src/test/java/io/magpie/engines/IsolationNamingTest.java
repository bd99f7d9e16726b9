package io.magpie.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.internal.MysqlEndpoint;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IsolationNamingTest {

    @Test
    void databaseNameIsLowercaseIdentifierWithTheToken() {
        assertEquals("t_messagestoreit_abc123", Infrastructure.isolationDatabase(
                "MessageStoreIT", "abc123"));
        assertEquals("t_route_table_it_abc123", Infrastructure.isolationDatabase(
                "Route$Table-IT", "abc123"));
        assertEquals("t_abc123", Infrastructure.isolationDatabase("$$$", "abc123"));
    }

    @Test
    void longNamesAreCutToMysqlsLimitKeepingTheToken() {
        String name = Infrastructure.isolationDatabase("A".repeat(200), "0123456789");

        assertEquals(64, name.length());
        assertTrue(name.startsWith("t_aaa") && name.endsWith("_0123456789"), name);
    }

    @Test
    void isolationRejectsDatabaseNamesThatAreNotIdentifiers() {
        assertThrows(IllegalArgumentException.class,
                () -> new TestIsolation("t_x;drop", "p:", "p.", "jdbc:mysql://h/x"));
    }

    @Test
    void jdbcUrlCarriesTheConnectorDefaultsAndExternalOverrides() {
        MysqlEndpoint embedded = new MysqlEndpoint("127.0.0.1", 3306, "root", "", Map.of());
        MysqlEndpoint external = new MysqlEndpoint("db", 3307, "u", "p",
                Map.of("sslMode", "REQUIRED"));

        assertEquals("jdbc:mysql://127.0.0.1:3306/t_x?sslMode=DISABLED"
                + "&rewriteBatchedStatements=true&allowPublicKeyRetrieval=true",
                embedded.url("t_x"));
        assertEquals("jdbc:mysql://db:3307/t_x?sslMode=REQUIRED"
                + "&rewriteBatchedStatements=true&allowPublicKeyRetrieval=true",
                external.url("t_x"));
    }

    @Test
    void databaseNamesWithQuotesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MysqlEndpoint.checkDatabaseName("x`; DROP DATABASE y"));

        assertTrue(e.getMessage().contains("must match"), e.getMessage());
    }
}
