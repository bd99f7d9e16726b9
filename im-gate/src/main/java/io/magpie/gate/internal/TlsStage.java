package io.magpie.gate.internal;

import io.magpie.protocol.tls.ServerTls;
import io.netty.channel.socket.SocketChannel;

/**
 * The first stages of a client listener when {@code tls.enabled}: {@value #TLS} (Netty's SslHandler,
 * TLS 1.3/1.2) then {@value #TLS_ERRORS} ({@link TlsErrorHandler}); nothing when TLS is off. Shared by
 * the TCP and WebSocket initializers so both listeners encrypt the same way. Thread-safe.
 */
public final class TlsStage {

    public static final String TLS = "tls";
    public static final String TLS_ERRORS = "tls-errors";

    private static final TlsStage PLAINTEXT = new TlsStage(null, null);

    private final ServerTls tls;
    private final TlsErrorHandler errors;

    private TlsStage(ServerTls tls, TlsErrorHandler errors) {
        this.tls = tls;
        this.errors = errors;
    }

    /** No TLS: the listeners speak plaintext. */
    public static TlsStage plaintext() {
        return PLAINTEXT;
    }

    /** TLS with this certificate; handshake failures are logged with {@code gateId}. */
    public static TlsStage of(ServerTls tls, String gateId) {
        return new TlsStage(tls, new TlsErrorHandler(gateId));
    }

    public boolean enabled() {
        return tls != null;
    }

    /** Adds the TLS stages at the head of a new connection's pipeline (call before any other stage). */
    public void addFirst(SocketChannel channel) {
        if (tls != null) {
            channel.pipeline().addFirst(TLS_ERRORS, errors);
            channel.pipeline().addFirst(TLS, tls.newHandler(channel.alloc()));
        }
    }
}
