package io.magpie.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTest {

    /** The codes docs/PROTOCOL.md publishes; clients in other languages hard-code them. */
    private static final Map<Command, Integer> PUBLISHED = new LinkedHashMap<>();

    static {
        String[] names = {"LOGIN", "LOGIN_ACK", "PING", "PONG", "SEND", "SEND_ACK", "PUSH", "PUSH_ACK", "SYNC",
            "SYNC_ACK", "PULL", "PULL_ACK", "READ", "READ_ACK", "RECALL", "RECALL_ACK", "DELETE", "DELETE_ACK",
            "CLEAR", "CLEAR_ACK", "KICK", "RECONNECT", "ERROR", "LOGOUT", "NOTICE"};
        for (int i = 0; i < names.length; i++) {
            PUBLISHED.put(Command.valueOf(names[i]), i + 1);
        }
        PUBLISHED.put(Command.GROUP, 27);
        PUBLISHED.put(Command.GROUP_ACK, 28);
        PUBLISHED.put(Command.GATE_PUSH, 4097);
        PUBLISHED.put(Command.GATE_PUSH_ACK, 4098);
        PUBLISHED.put(Command.LINK_HELLO, 4099);
        PUBLISHED.put(Command.LINK_CHALLENGE, 4100);
        PUBLISHED.put(Command.LINK_PROOF, 4101);
        PUBLISHED.put(Command.LINK_READY, 4102);
        PUBLISHED.put(Command.TYPING, 26);
        PUBLISHED.put(Command.PRESENCE, 29);
        PUBLISHED.put(Command.PRESENCE_ACK, 30);
        PUBLISHED.put(Command.REACT, 31);
        PUBLISHED.put(Command.REACT_ACK, 32);
        PUBLISHED.put(Command.EDIT, 33);
        PUBLISHED.put(Command.EDIT_ACK, 34);
        PUBLISHED.put(Command.PRESENCE_EVENT, 4103);
        PUBLISHED.put(Command.ADMIN_OP, 4104);
    }

    @Test
    void keepsThePublishedCodes() {
        assertEquals(PUBLISHED.keySet(), Set.of(Command.values()), "every command is published, none more");
        PUBLISHED.forEach((command, code) -> assertEquals(code, command.code(), command.name()));
    }

    @Test
    void givesEveryCommandItsOwnCode() {
        Set<Integer> codes = Arrays.stream(Command.values()).map(Command::code).collect(Collectors.toSet());
        assertEquals(Command.values().length, codes.size());
    }

    @ParameterizedTest
    @EnumSource(Command.class)
    void findsEveryCommandByItsCode(Command command) {
        assertEquals(Optional.of(command), Command.fromCode(command.code()));
        assertEquals(command.name(), Command.nameOf(command.code()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 35, 4096, 4105, 0xFFFF, -1, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void knowsNoCommandForAnUnassignedCode(int code) {
        assertEquals(Optional.empty(), Command.fromCode(code));
        assertEquals("UNKNOWN(" + code + ")", Command.nameOf(code));
    }

    @Test
    void marksOnlyRouterToGateCommandsInternal() {
        Set<Command> internal = Arrays.stream(Command.values()).filter(Command::internal).collect(Collectors.toSet());
        assertEquals(Set.of(Command.GATE_PUSH, Command.GATE_PUSH_ACK, Command.LINK_HELLO, Command.LINK_CHALLENGE,
                Command.LINK_PROOF, Command.LINK_READY, Command.PRESENCE_EVENT, Command.ADMIN_OP), internal);
        assertFalse(Command.LOGOUT.internal());
        assertTrue(Command.GATE_PUSH.code() >= 4096);
    }
}
