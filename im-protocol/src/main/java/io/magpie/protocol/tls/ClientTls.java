package io.magpie.protocol.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of TLS: which server certificates to trust, as a Netty context for gate
 * connections (TCP and WSS) and as a JDK {@link SSLContext} for {@code java.net.http.HttpClient}
 * (account API, LSB). Either the JDK's default trust store, or only the certificates of one PEM trust
 * file (a private CA, or the self-signed certificate of {@code magpie standalone --tls}). Host names
 * are verified against the certificate in both. Immutable and thread-safe.
 */
public final class ClientTls {

    private final Path trustFile;
    private final TrustManagerFactory trust;
    private final SslContext nettyContext;
    private final SSLContext jdkContext;

    private ClientTls(Path trustFile, TrustManagerFactory trust) throws GeneralSecurityException, SSLException {
        this.trustFile = trustFile;
        this.trust = trust;
        this.nettyContext = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(ServerTls.PROTOCOLS)
                .trustManager(trust)
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
        if (trust == null) {
            this.jdkContext = SSLContext.getDefault();
        } else {
            this.jdkContext = SSLContext.getInstance("TLS");
            this.jdkContext.init(null, trust.getTrustManagers(), null);
        }
    }

    /** Trusts what the JDK trusts (public CAs). */
    public static ClientTls systemTrust() {
        try {
            return new ClientTls(null, null);
        } catch (GeneralSecurityException | SSLException e) {
            throw new IllegalStateException("the JDK's default TLS context is unavailable: " + e.getMessage(), e);
        }
    }

    /**
     * Trusts only the certificates in {@code pemFile}, or the JDK's default trust store when it is null.
     *
     * @throws IllegalArgumentException naming the file when it is unreadable or holds no certificate
     */
    public static ClientTls trusting(Path pemFile) {
        if (pemFile == null) {
            return systemTrust();
        }
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("trust file " + pemFile.toAbsolutePath() + " holds no PEM"
                        + " certificate; give the server's certificate or its CA's");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : certs) {
                store.setCertificateEntry("trusted-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return new ClientTls(pemFile, tmf);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the trust file " + pemFile.toAbsolutePath() + ": " + e
                    + "; give a readable PEM file with the server's certificate or its CA's", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("trust file " + pemFile.toAbsolutePath() + " is not PEM X.509"
                    + " certificates: " + e.getMessage(), e);
        }
    }

    /** For connections to gates; create handlers with {@code newHandler(alloc, host, port)} so the host is verified. */
    public SslContext nettyContext() {
        return nettyContext;
    }

    /** For {@code HttpClient.newBuilder().sslContext(...)}. */
    public SSLContext jdkContext() {
        return jdkContext;
    }

    /** The PEM trust file, or null for the JDK's default trust store. */
    public Path trustFile() {
        return trustFile;
    }

    @Override
    public String toString() {
        return trust == null ? "ClientTls[system trust store]" : "ClientTls[trust " + trustFile + "]";
    }
}
