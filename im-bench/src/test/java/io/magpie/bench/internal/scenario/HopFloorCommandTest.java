package io.magpie.bench.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.bench.internal.floor.HopFloor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HopFloorCommandTest {

    @Test
    void theFloorIsTwoKafkaHopsAndThreeRoundTripsAtEachPercentile() {
        HopFloor.Floor floor = new HopFloor.Floor(List.of(
                result("mysql_round_trip", 150_000),
                result("kafka_hop", 800_000),
                result("thread_handoff", 10_000)));

        assertEquals(2 * 0.8 + 3 * 0.15, floor.millis(50), 0.01);
        assertEquals("mysql_round_trip_p50_us=150 mysql_round_trip_p99_us=150 kafka_hop_p50_us=800"
                + " kafka_hop_p99_us=800 thread_handoff_p50_us=10 thread_handoff_p99_us=10 floor_p50_ms=2.05"
                + " floor_p99_ms=2.05", floor.fields());
    }

    @Test
    void aServerOffThisMachineOrABadCountIsRefusedWithExitCodeTwo() {
        assertRefused("must be a loopback address", "--kafka", "192.0.2.10:9092", "--mysql", "127.0.0.1:3306");
        assertRefused("must be a loopback address", "--kafka", "127.0.0.1:9092", "--mysql", "192.0.2.10:3306");
        assertRefused("must be HOST:PORT", "--kafka", "localhost", "--mysql", "127.0.0.1:3306");
        assertRefused("--samples must be 100..1000000", "--kafka", "127.0.0.1:9092", "--mysql", "127.0.0.1:3306",
                "--samples", "5");
        assertRefused("must be HOST:PORT with a port of 1..65535", "--kafka", "127.0.0.1:99999", "--mysql",
                "127.0.0.1:3306");
        assertRefused("--mysql must be HOST:PORT", "--kafka", "127.0.0.1:9092", "--mysql", "127.0.0.1:3306 ");
        assertRefused("--kafka and --mysql are both needed", "--mysql", "127.0.0.1:3306");
        assertRefused("--gap must be 0..400ms", "--kafka", "127.0.0.1:9092", "--mysql", "127.0.0.1:3306",
                "--gap", "500ms");
    }

    @Test
    void theGuardNeedsBothAddressesForTheFloorAndNeverWritesThePasswordIntoItsReport() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new GuardCommand()).execute("--kafka", "127.0.0.1:9092", "--baseline-dir",
                    "no-such-dir-for-this-test");
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--kafka and --mysql are both needed"),
                err.toString(StandardCharsets.UTF_8));

        assertEquals(List.of("guard", "--mysql-password", "***", "--mysql-password=***", "--kafka", "k:1"),
                GuardCommand.masked(List.of("guard", "--mysql-password", "secret", "--mysql-password=secret",
                        "--kafka", "k:1")));
    }

    @Test
    void aFailureSaysWhatWasUnreachableAndNamesAnythingUnexpected() {
        assertEquals("Kafka at k:1 did not create the topic", HopFloor.why(
                new IllegalStateException("Kafka at k:1 did not create the topic")));
        assertEquals("cannot connect to MySQL", HopFloor.why(new java.sql.SQLException("cannot connect to MySQL")));
        assertEquals("unexpected: java.lang.NullPointerException: x", HopFloor.why(new NullPointerException("x")));
    }

    private static void assertRefused(String why, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new HopFloorCommand()).execute(args);
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code, String.join(" ", args));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(why), err.toString(StandardCharsets.UTF_8));
    }

    private static HopFloor.Result result(String name, long nanos) {
        Histogram histogram = new Histogram(3);
        for (int i = 0; i < 100; i++) {
            histogram.recordValue(nanos);
        }
        return new HopFloor.Result(name, name, histogram);
    }
}
