package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

class HeartbeatHandlerTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new HeartbeatHandler(30, "[test]", () -> 41));

    @Test
    void nothingWrittenForAHeartbeatSendsAPing() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT);

        Frame ping = channel.readOutbound();
        assertTrue(ping.is(Command.PING));
        assertEquals(41, ping.requestId(), "PINGs take ids from the connection's counter; PONG echoes them");
        assertTrue(channel.isActive());
    }

    @Test
    void nothingReadForThreeHeartbeatsClosesTheConnection() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);

        assertFalse(channel.isActive());
        assertNull(channel.readOutbound(), "a dead connection gets no PING");
    }
}
