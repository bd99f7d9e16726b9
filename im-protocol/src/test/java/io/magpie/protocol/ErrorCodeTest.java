package io.magpie.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorCodeTest {

    /** The codes docs/PROTOCOL.md publishes. */
    private static final Map<ErrorCode, Integer> PUBLISHED = Map.ofEntries(
            Map.entry(ErrorCode.BAD_MAGIC, 1001), Map.entry(ErrorCode.UNSUPPORTED_VERSION, 1002),
            Map.entry(ErrorCode.FRAME_TOO_LARGE, 1003), Map.entry(ErrorCode.UNKNOWN_COMMAND, 1004),
            Map.entry(ErrorCode.BAD_REQUEST, 1005), Map.entry(ErrorCode.WRONG_STATE, 1006),
            Map.entry(ErrorCode.NOT_SUPPORTED, 1007), Map.entry(ErrorCode.INVALID_TOKEN, 2001),
            Map.entry(ErrorCode.LOGIN_TIMEOUT, 2002), Map.entry(ErrorCode.FORBIDDEN, 2003),
            Map.entry(ErrorCode.NOT_FOUND, 2004), Map.entry(ErrorCode.CLIENT_MSG_ID_REUSED, 2005), Map.entry(ErrorCode.RECALL_WINDOW_PASSED, 2006),
            Map.entry(ErrorCode.BLOCKED, 2007), Map.entry(ErrorCode.NOT_FRIEND, 2008),
            Map.entry(ErrorCode.NOT_ADMIN, 2010), Map.entry(ErrorCode.NOT_OWNER, 2011),
            Map.entry(ErrorCode.MEMBER_MUTED, 2012), Map.entry(ErrorCode.GROUP_MUTED, 2013),
            Map.entry(ErrorCode.GROUP_FULL, 2014), Map.entry(ErrorCode.BLOCKED_BY_USER, 2015),
            Map.entry(ErrorCode.JOIN_NOT_ALLOWED, 2016), Map.entry(ErrorCode.OWNER_CANNOT_LEAVE, 2017),
            Map.entry(ErrorCode.APP_NOT_SERVED, 2018),
            Map.entry(ErrorCode.MUTED, 2019),
            Map.entry(ErrorCode.CONTENT_REJECTED, 2020),
            Map.entry(ErrorCode.HOOK_REJECTED, 2021),
            Map.entry(ErrorCode.MENTION_ALL_NOT_ALLOWED, 2030),
            Map.entry(ErrorCode.REACTION_LIMIT, 2031),
            Map.entry(ErrorCode.EDIT_WINDOW_PASSED, 2032),
            Map.entry(ErrorCode.MENTION_ALL_LIMITED, 2033),
            Map.entry(ErrorCode.RATE_LIMITED, 3001),
            Map.entry(ErrorCode.SERVER_BUSY, 3002), Map.entry(ErrorCode.INTERNAL, 3003),
            Map.entry(ErrorCode.SLOW_CONSUMER, 3004));

    @Test
    void keepsThePublishedCodes() {
        assertEquals(PUBLISHED.keySet(), Set.of(ErrorCode.values()), "every error code is published, none more");
        PUBLISHED.forEach((error, code) -> assertEquals(code, error.code(), error.name()));
    }

    @Test
    void givesEveryErrorItsOwnCode() {
        Set<Integer> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toSet());
        assertEquals(ErrorCode.values().length, codes.size());
    }

    @Test
    void marksExactlyTheTransientFailuresRetryable() {
        Set<ErrorCode> retryable = Arrays.stream(ErrorCode.values()).filter(ErrorCode::retryable)
                .collect(Collectors.toSet());
        assertEquals(Set.of(ErrorCode.RATE_LIMITED, ErrorCode.SERVER_BUSY, ErrorCode.INTERNAL,
                ErrorCode.SLOW_CONSUMER), retryable);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void findsEveryErrorByItsCode(ErrorCode error) {
        assertEquals(Optional.of(error), ErrorCode.fromCode(error.code()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1000, 1008, 2099, 3099, -1})
    void knowsNoErrorForAnUnassignedCode(int code) {
        assertEquals(Optional.empty(), ErrorCode.fromCode(code));
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void buildsAnErrorFrameThatCarriesCodeAndRetryability(ErrorCode error) {
        Frame frame = Frames.error(9, Command.SEND, error, null);

        io.magpie.protocol.proto.Error body = Frames.parse(frame, io.magpie.protocol.proto.Error.parser());
        assertEquals(9, frame.requestId());
        assertEquals(error.code(), body.getCode());
        assertEquals(error.retryable(), body.getRetryable());
        assertEquals(Command.SEND.code(), body.getCommand());
        assertEquals(error.name(), body.getMessage(), "a missing message falls back to the code's name");
    }

    @Test
    void carriesTheRetryAfterAdviceWhenGivenAndNoneOtherwise() {
        io.magpie.protocol.proto.Error limited = Frames.parse(
                Frames.error(4, Command.SEND.code(), ErrorCode.RATE_LIMITED, "slow down", 250),
                io.magpie.protocol.proto.Error.parser());
        assertEquals(250, limited.getRetryAfterMs());
        io.magpie.protocol.proto.Error plain = Frames.parse(Frames.error(4, Command.SEND, ErrorCode.SERVER_BUSY, "x"),
                io.magpie.protocol.proto.Error.parser());
        assertEquals(0, plain.getRetryAfterMs(), "no advice: the field stays unset (0)");
    }

    /** docs/PROTOCOL.md §4.3, byte for byte. */
    @Test
    void encodesTheDocumentedRateLimitedExample() {
        Frame frame = Frames.error(7, Command.SEND.code(), ErrorCode.RATE_LIMITED, "slow down", 250);
        io.netty.buffer.ByteBuf wire = io.netty.buffer.Unpooled.buffer();
        try {
            io.magpie.protocol.codec.FrameEncoder.writeTo(frame, wire);
            assertEquals("4d470100001700000007000000" + "15"
                    + "08b917" + "1209736c6f7720646f776e" + "1805" + "2001" + "28fa01",
                    io.netty.buffer.ByteBufUtil.hexDump(wire));
        } finally {
            wire.release();
        }
    }
}
