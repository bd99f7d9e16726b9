package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MysqlConfigTest {

    @Test
    void acceptsMysqlAndMariadbUrls() {
        assertEquals(10, MysqlConfig.of("jdbc:mysql://127.0.0.1:3306/im", "u", "p").maxPoolSize());
        assertEquals("jdbc:mariadb://h/im", new MysqlConfig("jdbc:mariadb://h/im", "u", "p", 5).jdbcUrl());
    }

    @Test
    void rejectsOtherUrlsNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MysqlConfig("jdbc:postgresql://h/im", "u", "p", 5));
        assertTrue(e.getMessage().contains("jdbc:postgresql://h/im"), e.getMessage());
    }

    @Test
    void clampsPoolSizeIntoRange() {
        assertEquals(1, new MysqlConfig("jdbc:mysql://h/im", "u", "p", 0).maxPoolSize());
        assertEquals(200, new MysqlConfig("jdbc:mysql://h/im", "u", "p", 5000).maxPoolSize());
        assertEquals(37, new MysqlConfig("jdbc:mysql://h/im", "u", "p", 37).maxPoolSize());
    }

    @Test
    void nullCredentialsBecomeEmptyAndPasswordIsNeverPrinted() {
        MysqlConfig config = new MysqlConfig("jdbc:mysql://h/im", null, "secret-pw", 5);
        assertEquals("", config.user());
        assertFalse(config.toString().contains("secret-pw"));
    }

    @Test
    void timeoutsDefaultAndAreClampedToTheirBounds() {
        MysqlConfig defaults = MysqlConfig.of("jdbc:mysql://h/im", "u", "p");
        assertEquals(java.time.Duration.ofSeconds(5), defaults.connectTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), defaults.socketTimeout());
        MysqlConfig tiny = new MysqlConfig("jdbc:mysql://h/im", "u", "p", 5, java.time.Duration.ofMillis(1),
                java.time.Duration.ofMillis(1));
        assertEquals(java.time.Duration.ofMillis(250), tiny.connectTimeout());
        assertEquals(java.time.Duration.ofSeconds(1), tiny.socketTimeout());
    }
}
