package io.magpie.router.internal;

import com.google.protobuf.CodedOutputStream;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a GATE_PUSH whose body exceeds the gate's frame limit (announced in LINK_CHALLENGE) into
 * several with the same command, request id and body and a share of the connections each, and merges
 * their acks back into one. Stateless.
 */
final class GatePushSplitter {

    private GatePushSplitter() {
    }

    /**
     * @return {@code push} itself when it fits, else parts that each fit
     * @throws IllegalArgumentException when even one connection plus the body exceeds the limit
     */
    static List<GatePush> split(GatePush push, int maxFrameBytes) {
        if (push.getSerializedSize() <= maxFrameBytes) {
            return List.of(push);
        }
        GatePush base = push.toBuilder().clearConnections().build();
        int budget = maxFrameBytes - base.getSerializedSize();
        List<GatePush> parts = new ArrayList<>();
        GatePush.Builder part = base.toBuilder();
        int used = 0;
        for (ConnectionRef ref : push.getConnectionsList()) {
            int size = CodedOutputStream.computeMessageSize(GatePush.CONNECTIONS_FIELD_NUMBER, ref);
            if (size > budget) {
                throw new IllegalArgumentException("a GATE_PUSH of command " + push.getCommand() + " with a "
                        + push.getBody().size() + "-byte body does not fit the"
                        + " gate's frame limit of " + maxFrameBytes + " bytes even with one connection");
            }
            if (used + size > budget) {
                parts.add(part.build());
                part = base.toBuilder();
                used = 0;
            }
            part.addConnections(ref);
            used += size;
        }
        parts.add(part.build());
        return parts;
    }

    /** One ack for the parts of one push: connections written summed, missing ids concatenated. */
    static GatePushAck merge(List<GatePushAck> acks) {
        if (acks.size() == 1) {
            return acks.get(0);
        }
        GatePushAck.Builder merged = GatePushAck.newBuilder();
        int written = 0;
        for (GatePushAck ack : acks) {
            written += ack.getWritten();
            merged.addAllMissingConnectionIds(ack.getMissingConnectionIdsList());
        }
        return merged.setWritten(written).build();
    }
}
