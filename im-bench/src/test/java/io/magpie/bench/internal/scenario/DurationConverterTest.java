package io.magpie.bench.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @Test
    void acceptsShortUnitsAndIso() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), DurationConverter.parse("30s"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofSeconds(45), DurationConverter.parse("PT45S"));
    }

    @Test
    void formatsInTheSameShortForm() {
        assertEquals("30s", DurationConverter.format(Duration.ofSeconds(30)));
        assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
        assertEquals("2m", DurationConverter.format(Duration.ofMinutes(2)));
        assertEquals("90s", DurationConverter.format(Duration.ofSeconds(90)));
    }

    @Test
    void refusesOtherTextSayingWhatItExpects() {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> DurationConverter.parse("soon"));
        assertEquals("'soon' is not a duration: use e.g. 500ms, 30s, 2m or 1h", e.getMessage());
        assertThrows(TypeConversionException.class, () -> DurationConverter.parse("5d"));
    }

    @Test
    void argumentsAreQuotedOnlyWhenAShellNeedsIt() {
        assertEquals("--rates", Scenario.quote("--rates"));
        assertEquals("1000,2000", Scenario.quote("1000,2000"));
        assertEquals("'two words'", Scenario.quote("two words"));
        assertEquals("''", Scenario.quote(""));
    }
}
