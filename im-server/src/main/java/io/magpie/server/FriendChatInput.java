package io.magpie.server;

import java.util.Optional;

/**
 * The friend and block commands of {@code magpie chat} ({@code /friends}, {@code /friend ...}, {@code /block},
 * {@code /unblock}, {@code /blocks}). Parsing only, testable without a terminal or a server.
 */
sealed interface FriendChatInput {

    /** The help lines of these commands (part of {@link ChatInput#HELP}). */
    String HELP = """
            /friends                 your friends and pending friend requests
            /friend add <user> [msg] send <user> a friend request with an optional message
            /friend accept|reject <requestId>   answer a request sent to you
            /friend remove <user>    end a friendship
            /block <user>, /unblock <user>, /blocks   your blocklist""";

    record ListFriends() implements FriendChatInput {
    }

    record Add(String user, String message) implements FriendChatInput {
    }

    record Answer(long requestId, boolean accept) implements FriendChatInput {
    }

    record Remove(String user) implements FriendChatInput {
    }

    record Block(String user, boolean block) implements FriendChatInput {
    }

    record ListBlocks() implements FriendChatInput {
    }

    /** One of these commands, used wrongly; {@code problem} says how to use it. */
    record Invalid(String problem) implements FriendChatInput {
    }

    /** The command this line is, or empty when it is not one of these (a message or another command). */
    static Optional<FriendChatInput> parse(String line) {
        String trimmed = line.strip();
        if (!trimmed.startsWith("/")) {
            return Optional.empty();
        }
        String[] words = trimmed.split("\\s+", 4);
        return Optional.ofNullable(switch (words[0]) {
            case "/friends" -> words.length == 1 ? new ListFriends() : new Invalid("/friends takes no argument");
            case "/blocks" -> words.length == 1 ? new ListBlocks() : new Invalid("/blocks takes no argument");
            case "/block", "/unblock" -> words.length == 2 ? new Block(words[1], words[0].equals("/block"))
                    : new Invalid("usage: " + words[0] + " <user>");
            case "/friend" -> friend(words);
            default -> null;
        });
    }

    private static FriendChatInput friend(String[] words) {
        if (words.length < 3) {
            return new Invalid("usage: /friend add <user> [message] | /friend accept|reject <requestId>"
                    + " | /friend remove <user>");
        }
        return switch (words[1]) {
            case "add" -> new Add(words[2], words.length == 4 ? words[3] : "");
            case "remove" -> words.length == 3 ? new Remove(words[2]) : new Invalid("usage: /friend remove <user>");
            case "accept", "reject" -> {
                long id = requestId(words[2]);
                yield words.length == 3 && id > 0 ? new Answer(id, words[1].equals("accept"))
                        : new Invalid("usage: /friend " + words[1] + " <requestId>, the number /friends shows");
            }
            default -> new Invalid("unknown /friend command '" + words[1] + "'; use add, accept, reject or remove");
        };
    }

    private static long requestId(String word) {
        String digits = word.startsWith("#") ? word.substring(1) : word;
        if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1; // above Long.MAX_VALUE: the caller reports the usage
        }
    }
}
