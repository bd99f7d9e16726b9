package io.magpie.bench.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        List<HopFloorCommand.Result> results = List.of(
                result("thread_handoff", 10_000),
                result("kafka_hop", 800_000),
                result("mysql_round_trip", 150_000));

        assertEquals(2 * 0.8 + 3 * 0.15, HopFloorCommand.floorMillis(results, 50), 0.01);
    }

    @Test
    void aServerOffThisMachineOrABadCountIsRefusedWithExitCodeTwo() {
        assertRefused("must be a loopback address", "--kafka", "192.0.2.10:9092", "--mysql", "127.0.0.1:3306");
        assertRefused("must be a loopback address", "--kafka", "127.0.0.1:9092", "--mysql", "192.0.2.10:3306");
        assertRefused("must be HOST:PORT", "--kafka", "localhost", "--mysql", "127.0.0.1:3306");
        assertRefused("--samples must be 100..1000000", "--kafka", "127.0.0.1:9092", "--mysql", "127.0.0.1:3306",
                "--samples", "5");
        assertRefused("--gap must be 0..1s", "--kafka", "127.0.0.1:9092", "--mysql", "127.0.0.1:3306",
                "--gap", "2s");
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

    private static HopFloorCommand.Result result(String name, long nanos) {
        Histogram histogram = new Histogram(3);
        for (int i = 0; i < 100; i++) {
            histogram.recordValue(nanos);
        }
        return new HopFloorCommand.Result(name, name, histogram);
    }
}
