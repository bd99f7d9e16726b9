package io.magpie.protocol.tls;

import java.nio.file.Path;

/**
 * TLS settings of a server's public listeners ({@code tls.*} in the YAML), shared by the gate's
 * client TCP and WebSocket ports, the account API and the LSB. Immutable; validated once: when
 * enabled both files must be named (whether they are readable PEM is checked by
 * {@link ServerTls#load} when the listener starts).
 *
 * @param enabled  serve TLS (TLS 1.3, 1.2 allowed) instead of plaintext (default false)
 * @param certFile PEM certificate chain, the server's certificate first ({@code tls.cert-file})
 * @param keyFile  PEM private key of that certificate, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
 *                 ({@code tls.key-file})
 */
public record TlsConfig(boolean enabled, Path certFile, Path keyFile) {

    /** Plaintext listeners: the default. */
    public static final TlsConfig DISABLED = new TlsConfig(false, null, null);

    public TlsConfig {
        if (enabled && certFile == null) {
            throw new IllegalArgumentException("tls.cert-file must name a PEM certificate chain when tls.enabled is"
                    + " true; set it, or set tls.enabled: false to serve plaintext");
        }
        if (enabled && keyFile == null) {
            throw new IllegalArgumentException("tls.key-file must name the PEM private key of tls.cert-file when"
                    + " tls.enabled is true; set it, or set tls.enabled: false to serve plaintext");
        }
    }

    /** TLS on with the given PEM files. */
    public static TlsConfig of(Path certFile, Path keyFile) {
        return new TlsConfig(true, certFile, keyFile);
    }
}
