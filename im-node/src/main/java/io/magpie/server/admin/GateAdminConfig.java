package io.magpie.server.admin;

import io.magpie.gate.DrainSettings;
import io.magpie.protocol.auth.SampleSecrets;
import java.util.Objects;

/**
 * The gate's operator surface ({@code gate.admin-token}, {@code gate.drain.*}).
 *
 * @param adminToken bearer secret of the drain endpoint on the health listener; null (the default) turns the
 *                   endpoint off. At least 32 characters, not a sample value.
 * @param drain      how the gate drains, by the endpoint and on SIGTERM
 */
public record GateAdminConfig(String adminToken, DrainSettings drain) {

    public GateAdminConfig {
        Objects.requireNonNull(drain, "gate.drain");
        if (adminToken != null) {
            if (adminToken.length() < 32) {
                throw new IllegalArgumentException("gate.admin-token must be at least 32 characters, got "
                        + adminToken.length() + "; generate one, e.g. openssl rand -base64 32");
            }
            String why = SampleSecrets.whyRefused(adminToken);
            if (why != null) {
                throw new IllegalArgumentException("gate.admin-token is refused: " + why
                        + "; generate one, e.g. openssl rand -base64 32");
            }
        }
    }

    public static GateAdminConfig defaults() {
        return new GateAdminConfig(null, DrainSettings.defaults());
    }

    @Override
    public String toString() {
        return "GateAdminConfig[adminToken=" + (adminToken == null ? "unset" : "***") + ", drain=" + drain + "]";
    }
}
