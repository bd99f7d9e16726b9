package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GroupChatLineTest {

    @Test
    void everyGroupSubcommandParsesToItsOperationGroupUidsAndText() {
        assertEquals(new GroupChatLine("create", 0, List.of(7L, 8L), "birds", 0), line("/group create birds 7 8"));
        assertEquals(new GroupChatLine("invite", 12, List.of(7L, 8L), "", 0), line("/group invite 12 7 8"));
        assertEquals(new GroupChatLine("kick", 12, List.of(7L), "", 0), line("/group kick 12 7"));
        assertEquals(new GroupChatLine("admin", 12, List.of(7L), "", 0), line("/group admin 12 7"));
        assertEquals(new GroupChatLine("transfer", 12, List.of(9L), "", 0), line("/group transfer 12 9"));
        assertEquals(new GroupChatLine("leave", 12, List.of(), "", 0), line("/group leave 12"));
        assertEquals(new GroupChatLine("dismiss", 12, List.of(), "", 0), line("/group dismiss 12"));
        assertEquals(new GroupChatLine("mute", 12, List.of(7L), "", 30), line("/group mute 12 7 30"));
        assertEquals(new GroupChatLine("unmute", 12, List.of(7L), "", 0), line("/group unmute 12 7"));
        assertEquals(new GroupChatLine("muteall", 12, List.of(), "", 1), line("/group muteall 12 on"));
        assertEquals(new GroupChatLine("name", 12, List.of(), "Night owls", 0), line("/group name 12 Night owls"));
        assertEquals(new GroupChatLine("notice", 12, List.of(), "be kind", 0), line("/group notice 12 be kind"));
        assertEquals(new GroupChatLine("members", 12, List.of(), "", 40), line("/group members 12 40"));
        assertEquals(new GroupChatLine("say", 12, List.of(), "hi all", 0), line("/group say 12 hi all"));
    }

    @Test
    void aMalformedGroupLineSaysWhatIsWrong() {
        assertTrue(problem("/group").contains("subcommand"));
        assertTrue(problem("/group kick x 7").contains("group id"));
        assertTrue(problem("/group transfer 12 7 8").contains("<uid>"));
        assertTrue(problem("/group mute 12 7").contains("<minutes>"));
        assertTrue(problem("/group muteall 12 maybe").contains("on|off"));
        assertTrue(problem("/group fly 12").contains("unknown /group subcommand"));
        assertTrue(ChatInput.HELP.contains("/group invite"));
    }

    private static GroupChatLine line(String text) {
        return assertInstanceOf(ChatInput.GroupOp.class, ChatInput.parse(text)).line();
    }

    private static String problem(String text) {
        return assertInstanceOf(ChatInput.Invalid.class, ChatInput.parse(text)).problem();
    }
}
