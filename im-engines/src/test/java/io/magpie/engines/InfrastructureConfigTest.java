package io.magpie.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.InfrastructureConfig.ExternalMysql;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InfrastructureConfigTest {

    @Test
    void defaultsEmbedEverythingUnderTheUserCache() {
        InfrastructureConfig config = InfrastructureConfig.defaults();

        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "magpie", "infra")
                .toAbsolutePath(), config.dataDir());
        assertTrue(config.quiet());
        assertEquals(InfrastructureConfig.DEFAULT_KAFKA_PARTITIONS, config.kafkaPartitions());
        assertTrue(config.externalMysql().isEmpty());
        assertTrue(config.externalRedisUri().isEmpty());
        assertTrue(config.externalKafkaBootstrap().isEmpty());
        assertTrue(config.needsDataDir());
        assertEquals(2, config.mysqlFlushLogAtTrxCommit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "2", " 1 "})
    void flushLogAtTrxCommitIsRead(String value) {
        InfrastructureConfig config = InfrastructureConfig.fromEnvironment(
                Map.of("MAGPIE_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT", value));

        assertEquals(Integer.parseInt(value.trim()), config.mysqlFlushLogAtTrxCommit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"3", "-1", "yes", "12"})
    void flushLogAtTrxCommitOutside0To2NamesTheVariable(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(
                        Map.of("MAGPIE_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT", value)));

        assertTrue(e.getMessage().startsWith("MAGPIE_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT='" + value + "'"),
                e.getMessage());
    }

    @Test
    void flushLogAtTrxCommitIsValidatedOnConstruction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.defaults().withMysqlFlushLogAtTrxCommit(3));

        assertTrue(e.getMessage().contains("mysqlFlushLogAtTrxCommit 3 is outside 0..2"), e.getMessage());
    }

    @Test
    void emptyEnvironmentGivesTheDefaults() {
        assertEquals(InfrastructureConfig.defaults(), InfrastructureConfig.fromEnvironment(Map.of()));
    }

    @Test
    void blankVariablesCountAsUnset() {
        InfrastructureConfig config = InfrastructureConfig.fromEnvironment(Map.of(
                "MAGPIE_MYSQL_URL", " ", "MAGPIE_REDIS_URL", "", "MAGPIE_KAFKA_BOOTSTRAP", "  ",
                "MAGPIE_INFRA_DIR", ""));

        assertEquals(InfrastructureConfig.defaults(), config);
    }

    @Test
    void readsAllThreeExternalServers() {
        InfrastructureConfig config = InfrastructureConfig.fromEnvironment(Map.of(
                "MAGPIE_MYSQL_URL", "jdbc:mysql://db.local:3307/?sslMode=REQUIRED",
                "MAGPIE_MYSQL_USER", "magpie",
                "MAGPIE_MYSQL_PASSWORD", "s3cret",
                "MAGPIE_REDIS_URL", "redis://cache.local:6380",
                "MAGPIE_KAFKA_BOOTSTRAP", "k1:9092,k2:9093"));

        ExternalMysql mysql = config.externalMysql().orElseThrow();
        assertEquals("db.local", mysql.host());
        assertEquals(3307, mysql.port());
        assertEquals("magpie", mysql.user());
        assertEquals("s3cret", mysql.password());
        assertEquals(Map.of("sslMode", "REQUIRED"), mysql.parameters());
        assertEquals(Optional.of("redis://cache.local:6380"), config.externalRedisUri());
        assertEquals(Optional.of("k1:9092,k2:9093"), config.externalKafkaBootstrap());
        assertFalse(config.needsDataDir());
    }

    @Test
    void externalMysqlDefaultsToPort3306AndRootWithoutPassword() {
        ExternalMysql mysql = InfrastructureConfig.fromEnvironment(
                Map.of("MAGPIE_MYSQL_URL", "jdbc:mysql://db.local/")).externalMysql().orElseThrow();

        assertEquals(3306, mysql.port());
        assertEquals("root", mysql.user());
        assertEquals("", mysql.password());
        assertTrue(mysql.parameters().isEmpty());
    }

    @Test
    void eachServerIsExternalIndependently() {
        InfrastructureConfig config = InfrastructureConfig.fromEnvironment(
                Map.of("MAGPIE_REDIS_URL", "redis://127.0.0.1:6379"));

        assertTrue(config.externalMysql().isEmpty());
        assertTrue(config.externalKafkaBootstrap().isEmpty());
        assertTrue(config.externalRedisUri().isPresent());
        assertTrue(config.needsDataDir());
    }

    @Test
    void infraDirAndQuietAreRead() {
        InfrastructureConfig config = InfrastructureConfig.fromEnvironment(Map.of(
                "MAGPIE_INFRA_DIR", "relative/infra", "MAGPIE_INFRA_QUIET", "false"));

        assertEquals(Path.of("relative/infra").toAbsolutePath(), config.dataDir());
        assertFalse(config.quiet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://db:3306/", "jdbc:mariadb://db:3306/", "jdbc:mysql://:3306/",
        "jdbc:mysql://db:99999/", "jdbc:mysql://db:3306/?flag"})
    void malformedMysqlUrlNamesTheVariable(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(Map.of("MAGPIE_MYSQL_URL", url)));

        assertTrue(e.getMessage().startsWith("MAGPIE_MYSQL_URL"), e.getMessage());
    }

    @Test
    void mysqlUrlMustNotNameADatabase() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(
                        Map.of("MAGPIE_MYSQL_URL", "jdbc:mysql://db:3306/magpie")));

        assertTrue(e.getMessage().contains("MAGPIE_MYSQL_URL")
                && e.getMessage().contains("names database 'magpie'"), e.getMessage());
    }

    @Test
    void credentialsInTheMysqlUrlAreRejectedWithoutEchoingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(
                        Map.of("MAGPIE_MYSQL_URL", "jdbc:mysql://bob:hunter2@db:3306/")));

        assertTrue(e.getMessage().contains("MAGPIE_MYSQL_USER"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void mysqlUserWithoutUrlIsAContradictionNamingBothVariables() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(Map.of("MAGPIE_MYSQL_USER", "bob")));

        assertTrue(e.getMessage().contains("MAGPIE_MYSQL_USER")
                && e.getMessage().contains("MAGPIE_MYSQL_URL"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://cache:6379", "redis://", "cache:6379", "redis://bad host"})
    void malformedRedisUrlNamesTheVariable(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(Map.of("MAGPIE_REDIS_URL", url)));

        assertTrue(e.getMessage().startsWith("MAGPIE_REDIS_URL"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "k1:9092,k2", "k1:0", "k1:abc", ":9092", "k1:"})
    void malformedKafkaBootstrapNamesTheVariable(String bootstrap) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(
                        Map.of("MAGPIE_KAFKA_BOOTSTRAP", bootstrap)));

        assertTrue(e.getMessage().startsWith("MAGPIE_KAFKA_BOOTSTRAP"), e.getMessage());
    }

    @Test
    void quietMustBeABoolean() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.fromEnvironment(Map.of("MAGPIE_INFRA_QUIET", "maybe")));

        assertTrue(e.getMessage().startsWith("MAGPIE_INFRA_QUIET"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1025})
    void kafkaPartitionsOutOfRangeAreRejected(int partitions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfrastructureConfig.defaults().withKafkaPartitions(partitions));

        assertTrue(e.getMessage().contains("kafkaPartitions " + partitions), e.getMessage());
    }

    @Test
    void toStringNeverShowsThePassword() {
        InfrastructureConfig config = InfrastructureConfig.fromEnvironment(Map.of(
                "MAGPIE_MYSQL_URL", "jdbc:mysql://db:3306/", "MAGPIE_MYSQL_PASSWORD", "s3cret"));

        assertFalse(config.toString().contains("s3cret"), config.toString());
    }
}
