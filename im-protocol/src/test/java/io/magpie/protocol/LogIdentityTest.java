package io.magpie.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.spi.LoggingEventBuilder;

class LogIdentityTest {

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final Logger log = context.getLogger("io.magpie.test");

    LogIdentityTest() {
        context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
        events.setContext(context);
        events.start();
        log.addAppender(events);
        log.setLevel(Level.INFO);
    }

    @Test
    void aSessionLineCarriesGateConnUidAndDeviceWhileItsTextStaysTheMessage() {
        LogIdentity.session(log.atInfo(), "gate-1", 7, 42, "phone").log("{} logged in", "[gate=gate-1 conn=7]");

        ILoggingEvent event = events.list.get(0);
        assertEquals("[gate=gate-1 conn=7] logged in", event.getFormattedMessage());
        assertEquals(Map.of("gate", "gate-1", "conn", 7L, "uid", 42L, "device", "phone"), pairs(event));
    }

    @Test
    void senderAndDeviceAndUserAndConversationAddTheirKeysOnlyAndSkipAbsentOnes() {
        LogIdentity.sender(log.atWarn(), 42, "phone", "s_1_42").log("a");
        LogIdentity.device(log.atWarn(), null, 42, null).log("b");
        LogIdentity.device(log.atWarn(), "gate-2", 42, "pad").log("c");
        LogIdentity.user(log.atWarn(), 42).log("d");
        LogIdentity.conversation(log.atWarn(), "g_9").log("e");
        LogIdentity.gate(log.atWarn(), "gate-3").log("f");

        assertEquals(Map.of("uid", 42L, "device", "phone", "conversation", "s_1_42"), pairs(events.list.get(0)));
        assertEquals(Map.of("uid", 42L), pairs(events.list.get(1)));
        assertEquals(Map.of("gate", "gate-2", "uid", 42L, "device", "pad"), pairs(events.list.get(2)));
        assertEquals(Map.of("uid", 42L), pairs(events.list.get(3)));
        assertEquals(Map.of("conversation", "g_9"), pairs(events.list.get(4)));
        assertEquals(Map.of("gate", "gate-3"), pairs(events.list.get(5)));
    }

    @Test
    void aLevelThatIsOffGetsTheNoOpBuilderBackAndLogsNothing() {
        LoggingEventBuilder off = log.atDebug();
        assertSame(off, LogIdentity.session(off, "gate-1", 7, 42, "phone"));
        assertSame(off, LogIdentity.sender(off, 42, "phone", "s_1_42"));
        assertSame(off, LogIdentity.device(off, "gate-1", 42, "phone"));
        off.log("not logged");
        assertEquals(0, events.list.size());
    }

    private static Map<String, Object> pairs(ILoggingEvent event) {
        Map<String, Object> pairs = new LinkedHashMap<>();
        event.getKeyValuePairs().forEach(p -> pairs.put(p.key, p.value));
        return pairs;
    }
}
