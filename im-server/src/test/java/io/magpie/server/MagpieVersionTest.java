package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MagpieVersionTest {

    @Test
    void namesTheVersionTheCommitAndTheJava() {
        assertEquals("magpie 0.1.0 (commit 1a2b3c4d5e, Java 17.0.9)", MagpieVersion.line("0.1.0", "1a2b3c4d5e", "17.0.9"));
    }

    @Test
    void leavesOutACommitTheBuildDidNotKnow() {
        assertEquals("magpie 0.1.0 (Java 17)", MagpieVersion.line("0.1.0", "unknown", "17"));
        assertEquals("magpie dev (Java 17)", MagpieVersion.line(null, null, "17"));
    }

    @Test
    void theBuiltClassesCarryTheProjectVersion() {
        String line = new MagpieVersion().getVersion()[0];
        assertTrue(line.matches("magpie \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? .*"), line);
    }
}
