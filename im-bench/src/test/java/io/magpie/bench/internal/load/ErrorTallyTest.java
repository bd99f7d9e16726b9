package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorTallyTest {

    @Test
    void anErrorAnswerIsNamedByItsCodeHoweverDeeplyTheFutureWrappedIt() {
        MagpieErrorException limited = new MagpieErrorException(ErrorCode.RATE_LIMITED, 3001,
                "SEND over this connection's budget", true, Duration.ofMillis(10));
        assertEquals("RATE_LIMITED", ErrorTally.nameOf(limited));
        assertEquals("RATE_LIMITED", ErrorTally.nameOf(new CompletionException(new ExecutionException(limited))));
    }

    @Test
    void aCodeThisClientDoesNotKnowKeepsItsNumber() {
        assertEquals("CODE_3999", ErrorTally.nameOf(new MagpieErrorException(ErrorCode.INTERNAL, 3999, "new", false)));
        assertEquals("INTERNAL", ErrorTally.nameOf(new MagpieErrorException(ErrorCode.INTERNAL, "boom", true)));
    }

    @Test
    void failuresTheClientSawItselfHaveNamesToo() {
        assertEquals("TIMEOUT", ErrorTally.nameOf(new RequestTimeoutException("no SEND_ACK")));
        assertEquals("CONNECTION_LOST", ErrorTally.nameOf(new ConnectionLostException("closed")));
        assertEquals("UNREACHABLE", ErrorTally.nameOf(new MagpieApiException(0, "UNREACHABLE", "refused")));
        assertEquals("IllegalStateException", ErrorTally.nameOf(new IllegalStateException("x")));
    }

    @Test
    void countsByNameMostFrequentFirstAndKeepsTheFirstMessageOfEach() {
        ErrorTally t = new ErrorTally();
        t.record(new MagpieErrorException(ErrorCode.SERVER_BUSY, "bus slow", true));
        for (int i = 0; i < 3; i++) {
            t.record(new CompletionException(new MagpieErrorException(ErrorCode.RATE_LIMITED, "refusal " + i, true)));
        }
        assertEquals("RATE_LIMITED 3, SERVER_BUSY 1", t.snapshot().readable());
        assertEquals(Map.of("RATE_LIMITED", "refusal 0", "SERVER_BUSY", "bus slow"), t.firstMessages());
    }
}
