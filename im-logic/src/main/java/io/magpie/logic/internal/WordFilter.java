package io.magpie.logic.internal;

import io.magpie.logic.WordFilterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.ahocorasick.trie.Emit;
import org.ahocorasick.trie.Trie;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensitive-word list as an Aho-Corasick automaton (one pass over a text, whatever the number of words),
 * matched case-insensitively. {@link #reloadIfChanged()} rebuilds it when the file's modification time or size
 * changed; a list that cannot be read keeps the previous one in force and says so in the log. Thread-safe:
 * the automaton is replaced as a whole and read through a volatile field.
 */
public final class WordFilter {

    private static final Logger log = LoggerFactory.getLogger(WordFilter.class);

    /** A loaded list and the file state it was read from. */
    private record Loaded(Trie trie, int words, long modified, long size) {
    }

    private final Path file;
    private final WordFilterConfig.Action action;
    private volatile Loaded loaded;

    private WordFilter(Path file, WordFilterConfig.Action action, Loaded loaded) {
        this.file = file;
        this.action = action;
        this.loaded = loaded;
    }

    /**
     * Reads the configured list.
     *
     * @throws IllegalArgumentException when the file cannot be read, naming it and what to do
     */
    public static WordFilter load(WordFilterConfig config) {
        try {
            Loaded l = read(config.file());
            log.info("[logic] word filter: {} words from {}, action {}", l.words(), config.file(), config.action());
            return new WordFilter(config.file(), config.action(), l);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("logic.word-filter.file " + config.file() + " cannot be read (" + e
                    + "); give a readable UTF-8 file with one word per line, or leave the setting empty", e);
        }
    }

    public WordFilterConfig.Action action() {
        return action;
    }

    /** Number of words in force. */
    public int words() {
        return loaded.words();
    }

    /** Reloads the list when the file changed since it was read; the old list stays when the new cannot be read. */
    public void reloadIfChanged() {
        Loaded current = loaded;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (a.lastModifiedTime().toMillis() == current.modified() && a.size() == current.size()) {
                return;
            }
            Loaded next = read(file);
            loaded = next;
            log.info("[logic] word filter reloaded: {} words from {} (were {})", next.words(), file, current.words());
        } catch (IOException | RuntimeException e) {
            // a scheduled task that throws is never run again: every failure is caught here
            log.error("[logic] word filter list {} could not be reloaded; the {} words read before stay in force",
                    file, current.words(), e);
        }
    }

    /** The first listed word in {@code text}, as char indices [start, end), or null when there is none. */
    public int[] firstMatch(String text) {
        Emit e = loaded.trie().firstMatch(text);
        return e == null ? null : new int[] {e.getStart(), e.getEnd() + 1};
    }

    /** {@code text} with every code point of every listed word replaced by {@code *}; the same string when clean. */
    public String masked(String text) {
        Collection<Emit> emits = loaded.trie().parseText(text);
        if (emits.isEmpty()) {
            return text;
        }
        boolean[] hit = new boolean[text.length()];
        for (Emit e : emits) {
            for (int i = e.getStart(); i <= e.getEnd(); i++) {
                hit[i] = true;
            }
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            out.appendCodePoint(hit[i] ? '*' : cp);
            i += n;
        }
        return out.toString();
    }

    private static Loaded read(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        List<String> words = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String w = line.strip();
            if (!w.isEmpty() && !w.startsWith("#")) {
                words.add(w);
            }
        }
        Trie trie = Trie.builder().ignoreCase().addKeywords(words).build();
        return new Loaded(trie, words.size(), a.lastModifiedTime().toMillis(), a.size());
    }
}
