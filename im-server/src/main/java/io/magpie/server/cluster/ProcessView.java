package io.magpie.server.cluster;

import java.util.List;

/**
 * One process as the admin endpoint reports it (JSON) and {@code magpie cluster status} prints it; ports
 * are -1 where the role has no such listener, {@code exitStatus} is null while it runs.
 */
public record ProcessView(String name, String role, String state, long pid, int httpPort, int tcpPort, int wsPort,
        int internalPort, int healthPort, String healthUrl, String log, Integer exitStatus) {

    /** The views of {@code children}, in their order. */
    public static List<ProcessView> of(List<RoleChild> children) {
        return children.stream().map(c -> {
            ProcessPlan p = c.plan();
            return new ProcessView(p.name(), p.command(), c.state().name(), c.pid(), p.httpPort(), p.tcpPort(),
                    p.wsPort(), p.internalPort(), p.healthPort(), c.healthUrl(), c.log().toString(), c.exitStatus());
        }).toList();
    }

    /** {@code gate-1  READY  pid 4242  tcp 127.0.0.1:40001 ...}, one line. */
    public String line(String host) {
        StringBuilder b = new StringBuilder(String.format("%-10s %-8s pid %-7d", name, state, pid));
        if (tcpPort >= 0) {
            b.append(" tcp ").append(host).append(':').append(tcpPort).append(" ws ").append(host).append(':')
                    .append(wsPort).append(" internal ").append(internalPort);
        }
        if (httpPort >= 0) {
            b.append(" http ").append(host).append(':').append(httpPort);
        }
        b.append("  health ").append(healthUrl).append("  log ").append(log);
        if (exitStatus != null) {
            b.append("  exit ").append(exitStatus);
        }
        return b.toString();
    }
}
