package io.magpie.bench.internal.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The figures of an earlier guard run, read back from its report: every line that starts with {@code step=}
 * (the report's "Summary lines" block) is one step. Immutable.
 *
 * @param source where it was read (shown beside the table); {@code none} for {@link #NONE}
 * @param steps  step name to figures, in report order
 */
public record GuardBaseline(String source, Map<String, GuardFigures> steps) {

    /** No baseline: every comparison shows "-". */
    public static final GuardBaseline NONE = new GuardBaseline("none", Map.of());

    /** The file name pattern of guard reports: {@code guard-<yyyyMMdd-HHmmss>.md}. */
    public static final String PREFIX = "guard-";

    public GuardBaseline {
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }

    /** The steps of a guard report's text; {@code source} names it in messages. */
    public static GuardBaseline parse(String markdown, String source) {
        Map<String, GuardFigures> steps = new LinkedHashMap<>();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("step=")) {
                GuardFigures f = GuardFigures.parse(line);
                steps.put(f.step(), f);
            }
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no step=... lines: it is not a guard report"
                    + " (bench-results/guard-<time>.md)");
        }
        return new GuardBaseline(source, steps);
    }

    /** Reads and parses {@code file}. */
    public static GuardBaseline read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guard baseline " + file + ": " + e.getMessage(), e);
        }
    }

    /** The newest guard report in {@code dir} by name (the names sort by time), if any. */
    public static Optional<Path> newest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(".md");
            }).max((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + " for guard baselines: " + e.getMessage(), e);
        }
    }

    /** The durability the baseline ran with: one value when all steps agree, else each step's. */
    public String durability() {
        return steps.values().stream().map(GuardFigures::durability).distinct()
                .reduce((a, b) -> a + " / " + b).orElse("unknown");
    }
}
