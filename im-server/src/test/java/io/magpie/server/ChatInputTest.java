package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@code magpie chat} makes of a typed line. */
class ChatInputTest {

    @Test
    void aPlainLineIsAMessageAndABlankOneNothing() {
        assertEquals(new ChatInput.Send("hello /read"), ChatInput.parse("hello /read"));
        assertEquals(new ChatInput.Blank(), ChatInput.parse("   "));
    }

    @Test
    void slashCommandsTakeTheirArguments() {
        assertEquals(new ChatInput.Read(), ChatInput.parse("/read"));
        assertEquals(new ChatInput.Recall(12), ChatInput.parse("/recall 12"));
        assertEquals(new ChatInput.Recall(12), ChatInput.parse(" /recall #12 "), "as the number is printed");
        assertEquals(new ChatInput.History(ChatInput.DEFAULT_HISTORY), ChatInput.parse("/history"));
        assertEquals(new ChatInput.History(25), ChatInput.parse("/history 25"));
        assertEquals(new ChatInput.Help(), ChatInput.parse("/help"));
        assertEquals(new ChatInput.Delete(7), ChatInput.parse("/delete #7"));
        assertEquals(new ChatInput.Clear(), ChatInput.parse("/clear"));
        assertEquals(new ChatInput.Pin(true), ChatInput.parse("/pin"));
        assertEquals(new ChatInput.Pin(false), ChatInput.parse(" /unpin"));
        assertEquals(new ChatInput.SendFile(java.nio.file.Path.of("My Pictures/cat 1.png")),
                ChatInput.parse("/file My Pictures/cat 1.png"), "the rest of the line, spaces included");
        assertInstanceOf(ChatInput.Invalid.class, ChatInput.parse("/file"));
    }

    @Test
    void replyReactAndEditTakeASeqAndTheRestOfTheLine() {
        assertEquals(new ChatInput.Reply(3, "sounds  good"), ChatInput.parse("/reply #3 sounds  good"));
        assertEquals(new ChatInput.Edit(4, "hello, fixed"), ChatInput.parse(" /edit 4 hello, fixed"));
        assertEquals(new ChatInput.React(5, "👍"), ChatInput.parse("/react 5 👍"));
        assertEquals(new ChatInput.React(5, null), ChatInput.parse("/unreact #5"));
        assertInstanceOf(ChatInput.Invalid.class, ChatInput.parse("/reply 3"));
        assertInstanceOf(ChatInput.Invalid.class, ChatInput.parse("/react x 👍"));
        assertInstanceOf(ChatInput.Invalid.class, ChatInput.parse("/edit 0 text"));
        for (String command : new String[] {"/reply", "/react", "/unreact", "/edit"}) {
            assertTrue(ChatInput.HELP.contains(command + " "), command);
        }
    }

    @Test
    void theHelpListsEveryCommand() {
        for (String command : new String[] {"/read", "/recall", "/delete", "/clear", "/pin", "/unpin", "/history",
                "/help"}) {
            assertTrue(ChatInput.HELP.contains(command + " ") || ChatInput.HELP.contains(command + ","), command);
        }
    }

    @Test
    void aMalformedCommandSaysWhatIsWrongInsteadOfBeingSent() {
        assertTrue(problem("/recall").contains("usage: /recall <seq>"));
        assertTrue(problem("/recall x").contains("'x'"));
        assertTrue(problem("/recall 0").contains(">= 1"));
        assertTrue(problem("/history 500").contains("1-200"));
        assertTrue(problem("/read 3").contains("no argument"));
        assertTrue(problem("/unknown").contains("/help"));
        assertTrue(problem("/delete").contains("usage: /delete <seq>"));
        assertTrue(problem("/delete 0").contains(">= 1"));
        assertTrue(problem("/clear 3").contains("no argument"));
        assertTrue(problem("/pin now").contains("no argument"));
    }

    private static String problem(String line) {
        return assertInstanceOf(ChatInput.Invalid.class, ChatInput.parse(line)).problem();
    }
}
