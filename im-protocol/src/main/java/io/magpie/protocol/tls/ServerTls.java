package io.magpie.protocol.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The server side of TLS, loaded once from the PEM files of a {@link TlsConfig}: a Netty context for
 * the gate's client listeners and the same key material as a JDK {@link SSLContext} for the HTTP
 * servers (account API, LSB). Only {@link #PROTOCOLS} are offered. Immutable and thread-safe; the
 * files are read once, so a renewed certificate takes effect at the next start.
 */
public final class ServerTls {

    /** TLS 1.3, and 1.2 for clients that lack 1.3. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SslContext context;

    private ServerTls(SslContext context) {
        this.context = context;
    }

    /**
     * Reads the certificate chain and key named by {@code config}.
     *
     * @throws IllegalArgumentException if TLS is disabled in {@code config}, or a file is missing,
     *                                  unreadable or not the PEM expected; the message names the
     *                                  setting and the file
     */
    public static ServerTls load(TlsConfig config) {
        Objects.requireNonNull(config, "config");
        if (!config.enabled()) {
            throw new IllegalArgumentException("tls.enabled is false; there is no certificate to load");
        }
        readable("tls.cert-file", config.certFile());
        readable("tls.key-file", config.keyFile());
        try {
            return new ServerTls(SslContextBuilder.forServer(config.certFile().toFile(), config.keyFile().toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .build());
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load the TLS certificate tls.cert-file=" + config.certFile()
                    + " with its key tls.key-file=" + config.keyFile() + ": " + e.getMessage()
                    + "; both must be PEM (the certificate chain; an unencrypted PKCS#8 key, BEGIN PRIVATE KEY: convert a"
                    + " traditional one with 'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem') and belong"
                    + " together", e);
        }
    }

    /** A handler for a new server connection; put it first in the pipeline. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    /** The Netty context (server mode, JDK provider). */
    public SslContext nettyContext() {
        return context;
    }

    /**
     * The same key material as a JDK context, for servers that are not Netty (Jetty). It is not
     * restricted to {@link #PROTOCOLS} by itself: the server using it must include only those.
     */
    public SSLContext jdkContext() {
        return ((JdkSslContext) context).context();
    }

    private static void readable(String setting, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(setting + "=" + file.toAbsolutePath() + " is not a readable file;"
                    + " point it at a PEM file this process may read");
        }
    }
}
