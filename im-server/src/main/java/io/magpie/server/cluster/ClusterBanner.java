package io.magpie.server.cluster;

import io.magpie.server.config.BindAddress;
import io.magpie.logic.LogicConfig;
import io.magpie.lsb.LsbConfig;
import java.util.List;

/** What {@code magpie cluster} prints once every process is ready: where everything is and what to type next. */
public final class ClusterBanner {

    private ClusterBanner() {
    }

    /**
     * @param defaultDataDir whether the data dir is the default one (the scaling commands then need no
     *                       {@code --data-dir})
     */
    public static String text(long readyMs, ClusterSpec spec, List<ProcessView> processes, ClusterLayout layout,
            boolean defaultDataDir) {
        String host = BindAddress.reachable(spec.bind());
        ProcessView logic1 = processes.stream().filter(p -> p.role().equals("logic")).findFirst().orElseThrow();
        ProcessView lsb = processes.stream().filter(p -> p.role().equals("lsb")).findFirst().orElseThrow();
        String api = "http://" + host + ":" + logic1.httpPort();
        String lsbUrl = "http://" + host + ":" + lsb.httpPort();
        String others = String.join(", ", processes.stream().filter(p -> p.role().equals("logic") && p != logic1)
                .map(p -> p.name() + " on :" + p.httpPort()).toList());
        StringBuilder b = new StringBuilder();
        b.append("\nMagpie cluster is ready (").append(readyMs).append(" ms): ").append(processes.size())
                .append(" processes.\n");
        b.append("  account API  ").append(api).append("   (").append(logic1.name())
                .append("; POST /v1/accounts, POST /v1/sessions").append(others.isEmpty() ? "" : "; also " + others)
                .append(")\n");
        b.append("  LSB          ").append(lsbUrl).append("   (GET /v1/gate, GET /v1/gates)\n");
        if (ClusterBanner.class.getResource("/magpie-web/chat/index.html") != null && lsb.httpPort() > 0) {
            b.append("  web chat     ").append(api).append("/chat/   (open it in a browser)\n");
        }
        b.append("  processes:\n");
        for (ProcessView p : processes) {
            b.append("    ").append(p.line(host)).append('\n');
        }
        b.append("  configs and logs: ").append(layout.clusterDir()).append(" (<name>.yaml, logs/<name>.log)\n");
        String chatFlags = (logic1.httpPort() == LogicConfig.DEFAULT_HTTP_PORT && "127.0.0.1".equals(host)
                ? "" : "--api " + api + " ")
                + (lsb.httpPort() == LsbConfig.DEFAULT_HTTP_PORT && "127.0.0.1".equals(host) ? "" : "--lsb " + lsbUrl + " ");
        String dirFlag = defaultDataDir ? "" : " --data-dir " + layout.dataDir();
        b.append("\nTry it:  ./magpie chat ").append(chatFlags).append("--user alice --password alice-secret --to bob\n");
        b.append("Scale:   ./magpie cluster add gate|logic|router").append(dirFlag)
                .append("    ./magpie cluster stop gate-2").append(dirFlag)
                .append("    ./magpie cluster status").append(dirFlag).append('\n');
        b.append("Stop it: Ctrl-C (gates drain first, then the LSB, routers, logic, notifier, then MySQL/Redis/Kafka)\n\n");
        return b.toString();
    }
}
