package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code magpie chat} makes of a typed friend or block command. */
class FriendChatInputTest {

    @Test
    void friendAndBlockCommandsTakeTheirArguments() {
        assertEquals(Optional.of(new FriendChatInput.ListFriends()), FriendChatInput.parse("/friends"));
        assertEquals(Optional.of(new FriendChatInput.Add("bob", "hi there bob")),
                FriendChatInput.parse("/friend add bob hi there bob"), "the rest of the line is the message");
        assertEquals(Optional.of(new FriendChatInput.Add("bob", "")), FriendChatInput.parse(" /friend add bob "));
        assertEquals(Optional.of(new FriendChatInput.Answer(7327490123456789012L, true)),
                FriendChatInput.parse("/friend accept 7327490123456789012"), "19-digit snowflake ids");
        assertEquals(Optional.of(new FriendChatInput.Answer(12, false)), FriendChatInput.parse("/friend reject #12"));
        assertEquals(Optional.of(new FriendChatInput.Remove("bob")), FriendChatInput.parse("/friend remove bob"));
        assertEquals(Optional.of(new FriendChatInput.Block("eve", true)), FriendChatInput.parse("/block eve"));
        assertEquals(Optional.of(new FriendChatInput.Block("eve", false)), FriendChatInput.parse("/unblock eve"));
        assertEquals(Optional.of(new FriendChatInput.ListBlocks()), FriendChatInput.parse("/blocks"));
    }

    @Test
    void otherLinesAreLeftToTheChatAndMisusesSayHow() {
        assertEquals(Optional.empty(), FriendChatInput.parse("/friends are great"
                .replace("/friends", "friends")), "a message");
        assertEquals(Optional.empty(), FriendChatInput.parse("/read"));
        assertInstanceOf(FriendChatInput.Invalid.class, FriendChatInput.parse("/friend").orElseThrow());
        assertInstanceOf(FriendChatInput.Invalid.class, FriendChatInput.parse("/friend accept abc").orElseThrow());
        assertInstanceOf(FriendChatInput.Invalid.class,
                FriendChatInput.parse("/friend accept 99999999999999999999").orElseThrow());
        assertInstanceOf(FriendChatInput.Invalid.class, FriendChatInput.parse("/block").orElseThrow());
        assertTrue(ChatInput.HELP.contains("/friend add <user> [msg]"), "the chat's help lists the friend commands");
    }
}
