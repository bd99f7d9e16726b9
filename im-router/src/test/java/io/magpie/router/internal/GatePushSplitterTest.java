package io.magpie.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatePushSplitterTest {

    private static GatePush group(int members, int bodyBytes) {
        GatePush.Builder push = GatePush.newBuilder().setCommand(Command.PUSH.code()).setRequestId(9)
                .setBody(ByteString.copyFrom(new byte[bodyBytes]));
        for (long i = 1; i <= members; i++) {
            push.addConnections(ConnectionRef.newBuilder().setConnectionId(1_000_000 + i).setUid(5_000_000_000L + i));
        }
        return push.build();
    }

    @Test
    void aPushThatFitsIsSentAsItIs() {
        GatePush push = group(10, 100);
        List<GatePush> parts = GatePushSplitter.split(push, 4096);
        assertEquals(1, parts.size());
        assertSame(push, parts.get(0));
    }

    @Test
    void aLargeGroupIsSplitIntoPartsThatEachFitAndTogetherNameEveryConnectionOnce() {
        GatePush push = group(2000, 1000);
        List<GatePush> parts = GatePushSplitter.split(push, 4096);

        assertTrue(parts.size() > 1);
        List<ConnectionRef> all = new ArrayList<>();
        for (GatePush part : parts) {
            assertTrue(part.getSerializedSize() <= 4096, "part of " + part.getSerializedSize() + " bytes");
            assertEquals(push.getBody(), part.getBody());
            assertEquals(push.getCommand(), part.getCommand());
            assertEquals(push.getRequestId(), part.getRequestId());
            all.addAll(part.getConnectionsList());
        }
        assertEquals(push.getConnectionsList(), all);
    }

    @Test
    void aBodyTooLargeForEvenOneConnectionIsRefusedWithTheLimit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatePushSplitter.split(group(2, 5000), 4096));
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
    }

    @Test
    void theAcksOfThePartsAddUp() {
        GatePushAck merged = GatePushSplitter.merge(List.of(
                GatePushAck.newBuilder().setWritten(3).addMissingConnectionIds(7).build(),
                GatePushAck.newBuilder().setWritten(2).addMissingConnectionIds(8).build()));
        assertEquals(5, merged.getWritten());
        assertEquals(List.of(7L, 8L), merged.getMissingConnectionIdsList());
    }
}
