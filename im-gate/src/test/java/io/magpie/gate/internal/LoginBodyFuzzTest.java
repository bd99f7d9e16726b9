package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.LoginRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the first frame of every client connection (docs/guarantees.md,
 * "Fuzzing"): LOGIN as {@link LoginHandler} reads it, body and token. Whatever the body, the client
 * gets LOGIN_ACK or an ERROR that refuses it (never INTERNAL) and is then closed; nothing is thrown
 * out of the pipeline; a refused login registers no session.
 */
class LoginBodyFuzzTest {

    private static final Set<ErrorCode> LOGIN_REFUSALS = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.INVALID_TOKEN);

    private final LoginHarness gate = new LoginHarness();


    @FuzzTest
    void loginFrame(FuzzedDataProvider data) {
        int requestId = data.consumeInt();
        byte[] body = data.consumeBoolean() ? structuredBody(data) : data.consumeRemainingAsBytes();
        FuzzContracts.assertAllocationBounded(() -> check(requestId, body), body.length,
                "a LOGIN of " + body.length + " bytes");
    }

    private void check(int requestId, byte[] body) {
        EmbeddedChannel channel = gate.connect();
        int sessionsBefore = gate.sessions.size();
        try {
            channel.writeInbound(new Frame(Command.LOGIN.code(), requestId, 0, body));
            channel.runPendingTasks();
        } catch (RuntimeException e) {
            fail("LOGIN with a body of " + body.length + " bytes threw " + e + " out of the pipeline", e);
        }
        Object answer = channel.readOutbound();
        if (answer instanceof Frame ack && ack.is(Command.LOGIN_ACK)) {
            assertEquals(requestId, ack.requestId(), "LOGIN_ACK must answer the request id");
            assertTrue(channel.isOpen(), "a logged-in connection stays open");
        } else {
            ErrorCode code = FuzzContracts.assertRefusal(answer, requestId);
            assertTrue(LOGIN_REFUSALS.contains(code), "a malformed LOGIN answered with " + code);
            assertFalse(channel.isOpen(), "a refused login is closed");
            assertEquals(sessionsBefore, gate.sessions.size(), "a refused login registered a session");
        }
        assertNull(channel.readOutbound(), "one answer per LOGIN");
        channel.finishAndReleaseAll();
        channel.runPendingTasks();
    }

    /** A LoginRequest around a real token, a mangled one or fuzzed text. */
    private byte[] structuredBody(FuzzedDataProvider data) {
        String token = switch (data.consumeInt(0, 2)) {
            case 0 -> gate.token(data.consumeLong(1, 1000), "phone-" + data.consumeInt(0, 3));
            case 1 -> mangled(gate.token(7, "phone-1"), data);
            default -> data.consumeString(600);
        };
        return LoginRequest.newBuilder().setToken(token).setClientVersion(data.consumeString(40)).build()
                .toByteArray();
    }

    private static String mangled(String token, FuzzedDataProvider data) {
        StringBuilder b = new StringBuilder(token);
        int edits = data.consumeInt(1, 3);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = data.consumeInt(0, b.length() - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> b.setCharAt(at, data.consumeChar());
                case 1 -> b.deleteCharAt(at);
                default -> b.insert(at, data.consumeChar());
            }
        }
        return b.toString();
    }
}
