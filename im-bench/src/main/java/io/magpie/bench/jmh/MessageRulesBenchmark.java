package io.magpie.bench.jmh;

import io.magpie.logic.ContentLimits;
import io.magpie.logic.WordFilterConfig;
import io.magpie.logic.internal.ContentValidator;
import io.magpie.logic.internal.WordFilter;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the SEND rules cost per message on logic's consumer thread: the content check of a TEXT and an IMAGE
 * ({@link ContentValidator}), and the sensitive-word filter over a clean text of {@code textChars} characters
 * with a list of {@code words} words (the common case: no match), in reject mode ({@code firstMatch}) and
 * mask mode ({@code masked}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MessageRulesBenchmark {

    @Param({"1000", "50000"})
    int words;

    @Param({"32", "512"})
    int textChars;

    private WordFilter filter;
    private String text;
    private final ContentValidator validator = new ContentValidator(ContentLimits.defaults());
    private MessageContent textContent;
    private MessageContent imageContent;

    @Setup
    public void setUp() throws IOException {
        Random random = new Random(42);
        List<String> list = new ArrayList<>(words);
        for (int i = 0; i < words; i++) {
            StringBuilder w = new StringBuilder();
            int len = 4 + random.nextInt(6);
            for (int j = 0; j < len; j++) {
                // Latin and CJK words: a list mixes both
                w.append(i % 3 == 0 ? (char) (0x4E00 + random.nextInt(2000)) : (char) ('a' + random.nextInt(26)));
            }
            list.add(w.toString());
        }
        Path file = Files.createTempFile("magpie-words", ".txt");
        file.toFile().deleteOnExit();
        Files.write(file, list, StandardCharsets.UTF_8);
        filter = WordFilter.load(new WordFilterConfig(file, WordFilterConfig.Action.MASK, Duration.ofSeconds(10)));
        StringBuilder t = new StringBuilder();
        String sentence = "see you at the station at nine, bring the tickets please. ";
        while (t.length() < textChars) {
            t.append(sentence);
        }
        text = t.substring(0, textChars);
        textContent = MessageContent.newBuilder().setType(MessageType.TEXT).setText(text).build();
        imageContent = MessageContent.newBuilder().setType(MessageType.IMAGE).setText("our cat")
                .setMedia(MediaInfo.newBuilder().setUrl("https://cdn.example/a.jpg").setMimeType("image/jpeg")
                        .setSizeBytes(120_000).setWidth(1280).setHeight(960)).build();
    }

    @Benchmark
    public int[] filterReject() {
        return filter.firstMatch(text);
    }

    @Benchmark
    public String filterMask() {
        return filter.masked(text);
    }

    @Benchmark
    public String validateText() {
        return validator.problem(textContent);
    }

    @Benchmark
    public String validateImage() {
        return validator.problem(imageContent);
    }
}
