package io.magpie.bench.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ReadOptionsTest {

    private static ReadOptions parse(String... args) {
        GroupFanoutScenario s = new GroupFanoutScenario();
        new CommandLine(s).parseArgs(args);
        s.reading.validate();
        return s.reading;
    }

    @Test
    void readsAreOffUnlessAsked() {
        assertEquals(0, parse().every());
        assertEquals("off", parse().param());
        assertEquals("", parse().describe());
    }

    @Test
    void readIsReadEveryOne() {
        assertEquals(1, parse("--read").every());
        assertEquals(1, parse("--read", "--read-every", "1").every());
        assertEquals(10, parse("--read-every", "10").every());
        assertEquals("10", parse("--read-every", "10").param());
    }

    @Test
    void aContradictionOrAnOutOfRangeValueNamesTheOption() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> parse("--read", "--read-every", "5"));
        assertTrue(both.getMessage().contains("--read") && both.getMessage().contains("--read-every 5"),
                both.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> parse("--read-every", "0"));
        assertEquals("--read-every must be 1..1000000, got 0", zero.getMessage());
    }
}
