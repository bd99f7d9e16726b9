package io.magpie.server;

/**
 * One line typed into {@code magpie chat}: a message to send, or a slash command. Parsing only, so that the
 * command syntax is testable without a terminal or a server.
 */
sealed interface ChatInput {

    /** Messages {@code /history} shows when no count is given. */
    int DEFAULT_HISTORY = 10;
    /** The most {@code /history} shows at once (a PULL page, docs/PROTOCOL.md §9.5). */
    int MAX_HISTORY = 200;

    /** The help text of the slash commands, as {@code --help} and {@code /help} print it. */
    String HELP = """
            /read          mark read up to the newest message
            /recall <seq>  recall your message #seq (within the recall window)
            /reply <seq> <text>  send text quoting message #seq
            /react <seq> <emoji> react to message #seq (one reaction each; /unreact <seq> takes it back)
            /edit <seq> <text>   replace the text of your message #seq (within the edit window)
            /delete <seq>  delete message #seq for you only (on all your devices)
            /clear         clear the history for you only (on all your devices)
            /pin, /unpin   pin the conversation to the top of your list, or not
            /history [n]   n older messages, paging back (default 10, max 200)
            /file <path>   upload a file (image, audio, video, document) and send it
            """ + FriendChatInput.HELP + "\n" + ChatPresenceCommands.HELP + """

            /help          this list
            any other line is sent as a message
            """ + GroupChatLine.HELP;

    record Send(String text) implements ChatInput {
    }

    record Read() implements ChatInput {
    }

    record Recall(long seq) implements ChatInput {
    }

    record History(int count) implements ChatInput {
    }

    record Delete(long seq) implements ChatInput {
    }

    record Clear() implements ChatInput {
    }

    record Pin(boolean pinned) implements ChatInput {
    }

    record Help() implements ChatInput {
    }

    /** {@code /file <path>}: upload the file and send it as an IMAGE, AUDIO, VIDEO or FILE message. */
    record SendFile(java.nio.file.Path file) implements ChatInput {
    }

    /** Text quoting message {@code seq}. */
    record Reply(long seq, String text) implements ChatInput {
    }

    /** A reaction to message {@code seq}; null {@code emoji} takes it back. */
    record React(long seq, String emoji) implements ChatInput {
    }

    /** New text for this user's message {@code seq}. */
    record Edit(long seq, String text) implements ChatInput {
    }

    /** A {@code /group ...} line ({@link GroupChatLine}). */
    record GroupOp(GroupChatLine line) implements ChatInput {
    }

    /** A line that is neither a message nor a valid command; {@code problem} says why, for the user. */
    record Invalid(String problem) implements ChatInput {
    }

    /** Nothing to do (a blank line). */
    record Blank() implements ChatInput {
    }

    static ChatInput parse(String line) {
        if (line.isBlank()) {
            return new Blank();
        }
        if (!line.strip().startsWith("/")) {
            return new Send(line);
        }
        String[] words = line.trim().split("\\s+");
        String name = words[0];
        return switch (name) {
            case "/read" -> words.length == 1 ? new Read() : new Invalid("/read takes no argument");
            case "/recall" -> {
                if (words.length != 2) {
                    yield new Invalid("usage: /recall <seq>, e.g. /recall 12 (the #12 shown with the message)");
                }
                long seq = number(words[1]);
                yield seq >= 1 ? new Recall(seq) : new Invalid("/recall needs a message number >= 1, got '"
                        + words[1] + "'");
            }
            case "/delete" -> {
                if (words.length != 2) {
                    yield new Invalid("usage: /delete <seq>, e.g. /delete 12 (the #12 shown with the message)");
                }
                long seq = number(words[1]);
                yield seq >= 1 ? new Delete(seq) : new Invalid("/delete needs a message number >= 1, got '"
                        + words[1] + "'");
            }
            case "/clear" -> words.length == 1 ? new Clear() : new Invalid("/clear takes no argument");
            case "/pin" -> words.length == 1 ? new Pin(true) : new Invalid("/pin takes no argument");
            case "/unpin" -> words.length == 1 ? new Pin(false) : new Invalid("/unpin takes no argument");
            case "/history" -> {
                if (words.length > 2) {
                    yield new Invalid("usage: /history [n]");
                }
                long n = words.length == 1 ? DEFAULT_HISTORY : number(words[1]);
                yield n >= 1 && n <= MAX_HISTORY ? new History((int) n)
                        : new Invalid("/history shows 1-" + MAX_HISTORY + " messages, got '" + words[1] + "'");
            }
            case "/reply", "/edit" -> {
                String[] parts = line.strip().split("\\s+", 3);
                long seq = parts.length == 3 ? number(parts[1]) : -1;
                if (seq < 1) {
                    yield new Invalid("usage: " + name + " <seq> <text>, e.g. " + name + " 12 sounds good (the #12"
                            + " shown with the message)");
                }
                yield name.equals("/reply") ? new Reply(seq, parts[2]) : new Edit(seq, parts[2]);
            }
            case "/react" -> {
                long seq = words.length == 3 ? number(words[1]) : -1;
                yield seq >= 1 ? new React(seq, words[2])
                        : new Invalid("usage: /react <seq> <emoji>, e.g. /react 12 👍");
            }
            case "/unreact" -> {
                long seq = words.length == 2 ? number(words[1]) : -1;
                yield seq >= 1 ? new React(seq, null) : new Invalid("usage: /unreact <seq>, e.g. /unreact 12");
            }
            case "/help" -> new Help();
            // the rest of the line, spaces included: paths have them
            case "/file" -> words.length >= 2 ? new SendFile(java.nio.file.Path.of(line.strip().substring(5).strip()))
                    : new Invalid("usage: /file <path>, e.g. /file ~/Pictures/cat.png");
            case "/group" -> GroupChatLine.parse(words);
            default -> new Invalid("unknown command " + name + "; /help lists them");
        };
    }

    private static long number(String word) {
        try {
            return Long.parseLong(word.startsWith("#") ? word.substring(1) : word);
        } catch (NumberFormatException e) {
            return -1; // the caller reports the word itself
        }
    }
}
