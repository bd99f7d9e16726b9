package io.magpie.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SendRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The frame codec per frame: header + body to bytes ({@link FrameEncoder#writeTo}, into a reused heap
 * buffer and into a pooled direct buffer as the gate's pipeline does), bytes to a {@link Frame}
 * ({@link FrameParser#next}), and the protobuf work around it for a SEND (build the body, parse it back),
 * for message texts of {@code textBytes}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameCodecBenchmark {

    @Param({"32", "512", "4096"})
    int textBytes;

    private SendRequest request;
    private Frame frame;
    private ByteBuf heapOut;
    private ByteBuf encoded;
    private FrameParser parser;

    @Setup
    public void setUp() {
        request = SendRequest.newBuilder().setClientMsgId("b1a2b3c4d5").setConversationType(ConversationType.SINGLE)
                .setTargetId(1_000_042L)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("x".repeat(textBytes)))
                .build();
        frame = Frames.of(Command.SEND, 42, request);
        heapOut = Unpooled.buffer(Frame.HEADER_BYTES + frame.body().length);
        encoded = Unpooled.buffer(Frame.HEADER_BYTES + frame.body().length);
        FrameEncoder.writeTo(frame, encoded);
        parser = new FrameParser(1 << 20);
    }

    @TearDown
    public void tearDown() {
        heapOut.release();
        encoded.release();
    }

    /** Header + body into a reused heap buffer. */
    @Benchmark
    public int encode() {
        heapOut.clear();
        FrameEncoder.writeTo(frame, heapOut);
        return heapOut.writerIndex();
    }

    /** Header + body into a pooled direct buffer, allocated and released per frame as on a channel. */
    @Benchmark
    public int encodePooledDirect() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.ioBuffer(Frame.HEADER_BYTES + frame.body().length);
        try {
            FrameEncoder.writeTo(frame, out);
            return out.writerIndex();
        } finally {
            out.release();
        }
    }

    /** One whole frame from bytes: header validation, length check, body copy. */
    @Benchmark
    public Frame decode() {
        encoded.readerIndex(0);
        return parser.next(encoded);
    }

    /** A SEND frame built from its protobuf request (what a client does per message). */
    @Benchmark
    public Frame buildSendFrame() {
        return Frames.of(Command.SEND, 42, request);
    }

    /** The SEND body parsed back (what logic does per message; the gate never parses bodies). */
    @Benchmark
    public SendRequest parseSendBody() throws InvalidProtocolBufferException {
        return SendRequest.parseFrom(frame.body());
    }
}
