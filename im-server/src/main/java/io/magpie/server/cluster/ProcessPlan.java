package io.magpie.server.cluster;

import io.magpie.server.MagpieNode;
import java.util.Objects;

/**
 * One role process of the cluster before it starts: its name ({@code gate-2}, also the gate's id), its
 * role and the ports chosen for it (-1 where the role has no such listener).
 *
 * @param healthPort    the health listener ({@code /health/ready}), on loopback
 * @param httpPort      logic's account API or the LSB's port
 * @param tcpPort       a gate's client TCP port
 * @param wsPort        a gate's client WebSocket port
 * @param internalPort  a gate's internal push port (routers only)
 */
public record ProcessPlan(String name, MagpieNode.Role role, int healthPort, int httpPort, int tcpPort, int wsPort,
        int internalPort) {

    public ProcessPlan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }

    /** The CLI command of the role ({@code gate}, {@code logic}, ...). */
    public String command() {
        return command(role);
    }

    public static String command(MagpieNode.Role role) {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code gate} -> {@link MagpieNode.Role#GATE}, for the roles a cluster can scale. */
    public static MagpieNode.Role role(String command) {
        for (MagpieNode.Role role : MagpieNode.Role.values()) {
            if (command(role).equals(command)) {
                return role;
            }
        }
        throw new ClusterException("unknown role '" + command + "'; one of gate, logic, router, lsb, notifier");
    }
}
