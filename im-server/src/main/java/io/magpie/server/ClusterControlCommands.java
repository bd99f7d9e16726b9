package io.magpie.server;

import io.magpie.server.cluster.ClusterLayout;
import io.magpie.server.cluster.ControlClient;
import io.magpie.server.cluster.ProcessView;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code magpie cluster add|stop|status}: scale a running {@code magpie cluster} through its loopback
 * admin endpoint ({@link ControlClient}); each finds it through {@code <data-dir>/cluster/control.json}.
 */
final class ClusterControlCommands {

    private ClusterControlCommands() {
    }

    /** The data dir of the subcommand, else the one given to {@code cluster}, else the default. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        ClusterCommand cluster;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "the running cluster's data dir (default: ~/.magpie/cluster)")
        Path dataDir;

        ControlClient client() {
            return new ControlClient(new ClusterLayout(dataDir != null ? dataDir : cluster.dataDir));
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Start one more process of ROLE in the running cluster and wait until it is ready"
                    + " (a gate registers and the LSB starts handing it out; logic and routers join their"
                    + " consumer groups and take partitions over).")
    static final class Add extends Base {
        @Parameters(paramLabel = "ROLE", description = "gate, logic, router, notifier or lsb")
        String role;

        @Override
        public Integer call() {
            ProcessView added = client().add(role);
            System.out.println("started " + added.line("127.0.0.1"));
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop one process of the running cluster (SIGTERM: a gate drains its clients to the"
                    + " other gates, logic and routers hand their partitions over) and wait for it.")
    static final class Stop extends Base {
        @Parameters(paramLabel = "NAME", description = "the process, e.g. gate-2 (see magpie cluster status)")
        String name;

        @Override
        public Integer call() {
            ProcessView stopped = client().stop(name);
            System.out.println("stopped " + stopped.line("127.0.0.1"));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "List the processes of the running cluster: state, pid, ports, health URL, log.")
    static final class Status extends Base {
        @Override
        public Integer call() {
            List<ProcessView> processes = client().status();
            processes.forEach(p -> System.out.println(p.line("127.0.0.1")));
            return 0;
        }
    }
}
