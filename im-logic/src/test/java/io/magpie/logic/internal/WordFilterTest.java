package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.logic.ContentLimits;
import io.magpie.logic.WordFilterConfig;
import io.magpie.logic.internal.SendRequestParser.Accepted;
import io.magpie.logic.internal.SendRequestParser.Refused;
import io.magpie.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordFilterTest {

    @TempDir
    Path dir;

    private WordFilter filter(WordFilterConfig.Action action, String... lines) throws IOException {
        Path file = dir.resolve("words.txt");
        Files.writeString(file, String.join("\n", lines), StandardCharsets.UTF_8);
        return WordFilter.load(new WordFilterConfig(file, action, Duration.ofSeconds(1)));
    }

    @Test
    void findsListedWordsAnywhereIgnoringCaseCommentsAndBlankLines() throws IOException {
        WordFilter f = filter(WordFilterConfig.Action.REJECT, "# the list", "", "  Spam ", "坏话");
        assertEquals(2, f.words());
        assertArrayEquals(new int[] {4, 8}, f.firstMatch("buy SPAM now"));
        assertArrayEquals(new int[] {2, 4}, f.firstMatch("你说坏话了"));
        assertNull(f.firstMatch("nothing to see"));
        assertNull(f.firstMatch("the list"), "a comment line is not a word");
    }

    @Test
    void masksEveryCodePointOfEveryMatchOnceEvenAcrossSurrogatePairs() throws IOException {
        WordFilter f = filter(WordFilterConfig.Action.MASK, "darn", "\uD83D\uDCA9x", "arnold");
        assertEquals("**** it, ** ok", f.masked("darn it, \uD83D\uDCA9x ok"));
        assertEquals("*******", f.masked("darnold"), "overlapping matches (darn, arnold) are masked as one run");
        String clean = "fine text";
        assertTrue(clean == f.masked(clean), "a clean text is returned as it is");
    }

    @Test
    void aChangedFileIsReloadedAndAnUnreadableOneKeepsTheOldList() throws IOException {
        WordFilter f = filter(WordFilterConfig.Action.REJECT, "alpha");
        Path file = dir.resolve("words.txt");
        Files.writeString(file, "alpha\nbeta\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        f.reloadIfChanged();
        assertEquals(2, f.words());
        assertArrayEquals(new int[] {0, 4}, f.firstMatch("beta"));

        Files.delete(file);
        f.reloadIfChanged();
        assertEquals(2, f.words(), "a list that cannot be read leaves the one in force");
    }

    @Test
    void aMissingListFailsTheStartNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WordFilter.load(
                new WordFilterConfig(dir.resolve("none.txt"), WordFilterConfig.Action.REJECT, Duration.ofSeconds(1))));
        assertTrue(e.getMessage().contains("logic.word-filter.file"), e.getMessage());
    }

    @Test
    void theParserRefusesOrMasksTheTextAndMarksTheCommandRewritten() throws IOException {
        ContentValidator content = new ContentValidator(ContentLimits.defaults());
        SendRequestParser reject = new SendRequestParser(content, filter(WordFilterConfig.Action.REJECT, "spam"));
        Refused r = assertInstanceOf(Refused.class,
                reject.parse(Sends.envelope(7, 3, 11, Sends.text("c1", 42, "no Spam please"))));
        assertEquals(ErrorCode.CONTENT_REJECTED, r.rejection().code());
        assertTrue(r.rejection().message().contains("characters 3-6"), r.rejection().message());
        assertFalse(r.rejection().message().toLowerCase().contains("spam"), "the refusal does not quote the list");

        SendRequestParser mask = new SendRequestParser(content, filter(WordFilterConfig.Action.MASK, "spam"));
        Accepted a = assertInstanceOf(Accepted.class,
                mask.parse(Sends.envelope(7, 3, 11, Sends.text("c1", 42, "no Spam please"))));
        assertEquals("no **** please", a.command().request().getContent().getText());
        assertTrue(a.command().rewritten());
        Accepted clean = assertInstanceOf(Accepted.class,
                mask.parse(Sends.envelope(7, 3, 11, Sends.text("c2", 42, "fine"))));
        assertFalse(clean.command().rewritten());
    }
}
