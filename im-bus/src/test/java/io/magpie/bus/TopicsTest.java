package io.magpie.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void namesComeFromThePrefix() {
        Topics topics = new Topics(Topics.DEFAULT_PREFIX);
        assertEquals("magpie.upstream", topics.upstream());
        assertEquals("magpie.push", topics.push());
        assertEquals("magpie.offline", topics.offline());
        assertEquals("magpie.logic", topics.logicGroup());
        assertEquals("magpie.router", topics.routerGroup());
        assertEquals(List.of("t1.upstream", "t1.push", "t1.offline"), new Topics("t1.").all());
    }

    @Test
    void rejectsCharactersKafkaDoesNotAllow() {
        assertThrows(IllegalArgumentException.class, () -> new Topics("magpie/"));
        assertThrows(IllegalArgumentException.class, () -> new Topics("a b."));
    }
}
