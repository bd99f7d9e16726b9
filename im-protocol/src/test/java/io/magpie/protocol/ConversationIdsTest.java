package io.magpie.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.proto.ConversationType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConversationIdsTest {

    @Test
    void namesAOneToOneConversationTheSameFromBothSides() {
        assertEquals("s_7_12", ConversationIds.single(7, 12));
        assertEquals("s_7_12", ConversationIds.single(12, 7));
        assertEquals("s_9_10", ConversationIds.single(10, 9), "numeric order, not string order");
        assertEquals("s_5_5", ConversationIds.single(5, 5), "a note to self");
    }

    @Test
    void namesAGroupConversationByItsGroupId() {
        assertEquals("g_77", ConversationIds.group(77));
    }

    @Test
    void derivesTheConversationFromTheAuthenticatedSenderAndTheTarget() {
        assertEquals("s_10001_10002", ConversationIds.of(ConversationType.SINGLE, 10002, 10001));
        assertEquals("s_10001_10002", ConversationIds.of(ConversationType.SINGLE, 10001, 10002));
        assertEquals("g_77", ConversationIds.of(ConversationType.GROUP, 10001, 77));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void refusesANonPositiveTargetAsABadRequest(long target) {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ConversationIds.of(ConversationType.SINGLE, 10001, target));

        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertFalse(e.fatal(), "a bad field does not end the connection");
        assertTrue(e.getMessage().contains("target_id") && e.getMessage().contains(Long.toString(target)), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = ConversationType.class, names = {"CONVERSATION_TYPE_UNSPECIFIED", "UNRECOGNIZED"})
    void refusesAnUnknownConversationTypeAsABadRequest(ConversationType type) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ConversationIds.of(type, 10001, 10002));

        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertFalse(e.fatal());
        assertTrue(e.getMessage().contains("conversation_type"), e.getMessage());
    }

    @Test
    void tellsGroupConversationsApart() {
        assertTrue(ConversationIds.isGroup("g_77"));
        assertFalse(ConversationIds.isGroup("s_1_2"));
        assertEquals(77, ConversationIds.groupIdOf("g_77"));
        assertThrows(IllegalArgumentException.class, () -> ConversationIds.groupIdOf("s_1_2"));
        assertThrows(IllegalArgumentException.class, () -> ConversationIds.groupIdOf("g_seventy"));
    }

    @Test
    void findsThePeerOfAOneToOneConversation() {
        assertEquals(12, ConversationIds.peerOf("s_7_12", 7));
        assertEquals(7, ConversationIds.peerOf("s_7_12", 12));
        assertEquals(5, ConversationIds.peerOf("s_5_5", 5));
    }

    @Test
    void refusesAPeerLookupByANonMember() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConversationIds.peerOf("s_7_12", 8));
        assertEquals("uid 8 is not a member of s_7_12", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"g_77", "s_12", "s_", "s_a_b", "s_7_", "x_1_2"})
    void refusesAPeerLookupInSomethingThatIsNotAOneToOneId(String id) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConversationIds.peerOf(id, 7));
        assertTrue(e.getMessage().contains(id), e.getMessage());
    }
}
