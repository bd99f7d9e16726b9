package io.magpie.http;

import io.magpie.protocol.tls.ServerTls;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The only Jetty connector of an HTTP listener (account API, LSB) when {@code tls.enabled}: HTTP/1.1 inside
 * TLS 1.3/1.2 with the certificate of {@link ServerTls}, on the listener's port. There is no plaintext
 * connector beside it.
 */
public final class HttpsConnector {

    private HttpsConnector() {
    }

    /** A connector for Javalin's {@code cfg.jetty.addConnector}; host null = every interface. */
    public static ServerConnector create(Server server, HttpConfiguration http, ServerTls tls, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls.jdkContext());
        ssl.setIncludeProtocols(ServerTls.PROTOCOLS.toArray(String[]::new));
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }
}
