package io.magpie.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;

/** The last stage of a client pipeline, for failures that are not our own protocol violations. */
class ProtocolErrorHandlerTest {

    @Test
    void aBrokenWebSocketFrameClosesTheConnectionWithoutCallingItAServerFault() {
        // What Netty's WebSocket decoder raises (after its close frame) for an unmasked, oversized or
        // non-UTF-8 frame; the WebSocket fuzz target reaches all three.
        EmbeddedChannel channel = new EmbeddedChannel(ProtocolErrorHandler.INSTANCE);

        channel.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(
                WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8"));

        assertNull(channel.readOutbound(), "no INTERNAL error frame for a client's broken framing");
        assertFalse(channel.isOpen());
    }
}
