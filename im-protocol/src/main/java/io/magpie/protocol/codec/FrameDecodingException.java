package io.magpie.protocol.codec;

import io.magpie.protocol.ProtocolException;
import io.netty.handler.codec.DecoderException;

/** A {@link ProtocolException} raised while decoding, in the exception type Netty's decoders use. */
public final class FrameDecodingException extends DecoderException {

    private static final long serialVersionUID = 1L;

    public FrameDecodingException(ProtocolException cause) {
        super(cause.getMessage(), cause);
    }

    public ProtocolException protocolException() {
        return (ProtocolException) getCause();
    }
}
