package io.magpie.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code /group ...} line of {@code magpie chat}: which group operation, on which group, with which uids and
 * words. Parsing only (run by {@link GroupChatActions}), so the syntax is testable without a terminal or server.
 *
 * @param op    the subcommand (create, invite, join, approve, reject, leave, kick, admin, unadmin, transfer,
 *              dismiss, mute, unmute, muteall, name, notice, members, say)
 * @param group the group id; 0 for create
 * @param uids  the uids named
 * @param text  the rest of the line (name, announcement, message, join words), or ""
 * @param number minutes for mute, on (1) / off (0) for muteall, afterUid for members
 */
record GroupChatLine(String op, long group, List<Long> uids, String text, long number) {

    static final String HELP = """
            /group create <name> [uid...]      create a group with these members (you own it)
            /group say <gid> <text>            send a message to the group
            /group invite <gid> <uid...>       add members (at most 500 per line)
            /group join <gid> [words]          ask to join (or join, if the group is free to join)
            /group approve|reject <gid> <uid>  settle a join request (admins)
            /group leave <gid>                 leave the group
            /group kick <gid> <uid...>         remove members (admins)
            /group admin|unadmin <gid> <uid>   make a member an admin, or not (owner)
            /group transfer <gid> <uid>        hand the group to another member (owner)
            /group dismiss <gid>               end the group (owner)
            /group mute <gid> <uid> <minutes>  mute a member (admins); /group unmute <gid> <uid>
            /group muteall <gid> on|off        only admins may speak, or everyone again (admins)
            /group name <gid> <name>           rename the group (admins)
            /group notice <gid> <text>         set the announcement (admins)
            /group members <gid> [afterUid]    list 50 members from afterUid on""";

    /** The line's words after {@code /group}; an {@link ChatInput.Invalid} names what is wrong. */
    static ChatInput parse(String[] words) {
        if (words.length < 2) {
            return new ChatInput.Invalid("/group needs a subcommand; /help lists them");
        }
        String op = words[1];
        if (op.equals("create")) {
            if (words.length < 3) {
                return new ChatInput.Invalid("/group create needs a name");
            }
            List<Long> uids = uids(words, 3);
            return uids == null ? new ChatInput.Invalid("/group create <name> [uid...]: uids are numbers")
                    : new ChatInput.GroupOp(new GroupChatLine(op, 0, uids, words[2], 0));
        }
        if (words.length < 3 || number(words[2]) <= 0) {
            return new ChatInput.Invalid("/group " + op + " needs a group id (a number)");
        }
        long gid = number(words[2]);
        String rest = String.join(" ", Arrays.copyOfRange(words, 3, words.length));
        return switch (op) {
            case "say", "name", "notice" -> rest.isBlank() ? new ChatInput.Invalid("/group " + op + " needs text")
                    : new ChatInput.GroupOp(new GroupChatLine(op, gid, List.of(), rest, 0));
            case "join" -> new ChatInput.GroupOp(new GroupChatLine(op, gid, List.of(), rest, 0));
            case "leave", "dismiss" -> words.length == 3 ? new ChatInput.GroupOp(new GroupChatLine(op, gid, List.of(),
                    "", 0)) : new ChatInput.Invalid("/group " + op + " takes only the group id");
            case "invite", "kick", "approve", "reject", "admin", "unadmin", "transfer", "unmute" -> {
                List<Long> uids = uids(words, 3);
                boolean one = !op.equals("invite") && !op.equals("kick");
                if (uids == null || uids.isEmpty() || (one && uids.size() != 1)) {
                    yield new ChatInput.Invalid("/group " + op + " <gid> " + (one ? "<uid>" : "<uid...>")
                            + ": uids are numbers");
                }
                yield new ChatInput.GroupOp(new GroupChatLine(op, gid, uids, "", 0));
            }
            case "mute" -> words.length == 5 && number(words[3]) > 0 && number(words[4]) > 0
                    ? new ChatInput.GroupOp(new GroupChatLine(op, gid, List.of(number(words[3])), "",
                    number(words[4]))) : new ChatInput.Invalid("/group mute <gid> <uid> <minutes>");
            case "muteall" -> words.length == 4 && (words[3].equals("on") || words[3].equals("off"))
                    ? new ChatInput.GroupOp(new GroupChatLine(op, gid, List.of(), "", words[3].equals("on") ? 1 : 0))
                    : new ChatInput.Invalid("/group muteall <gid> on|off");
            case "members" -> words.length <= 4 && (words.length == 3 || number(words[3]) >= 0)
                    ? new ChatInput.GroupOp(new GroupChatLine(op, gid, List.of(), "",
                    words.length == 3 ? 0 : number(words[3]))) : new ChatInput.Invalid("/group members <gid> [afterUid]");
            default -> new ChatInput.Invalid("unknown /group subcommand " + op + "; /help lists them");
        };
    }

    private static List<Long> uids(String[] words, int from) {
        List<Long> uids = new ArrayList<>();
        for (int i = from; i < words.length; i++) {
            long uid = number(words[i]);
            if (uid <= 0) {
                return null;
            }
            uids.add(uid);
        }
        return uids;
    }

    private static long number(String word) {
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
