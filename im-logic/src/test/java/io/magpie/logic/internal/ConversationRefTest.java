package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConversationRefTest {

    @Test
    void canonicalIdsParse() {
        ConversationRef.Single s = (ConversationRef.Single) ConversationRef.parse("s_3_9").orElseThrow();
        assertEquals(3, s.lowUid());
        assertEquals(9, s.peerOf(3));
        assertTrue(s.hasMember(9));
        assertEquals(new ConversationRef.Group("g_12", 12), ConversationRef.parse("g_12").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s_9_3", "s_3_3", "s_03_9", "s_3", "s_-1_3", "g_0", "g_x", "g_01", "u_5",
            "g_99999999999999999999", "s_3_9_1", "g_+5"})
    void anythingElseIsNotAConversationTheServerIssues(String id) {
        assertEquals(Optional.empty(), ConversationRef.parse(id));
    }
}
