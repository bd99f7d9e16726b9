package io.magpie.server.cluster;

import io.magpie.server.config.BindAddress;
import io.magpie.server.MagpieNode.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The role processes of one {@code magpie cluster}: starts them ({@link #startAll}), adds and stops one
 * while the cluster runs ({@link #add}, {@link #stop}), reports them ({@link #processes}) and stops all of
 * them in order on {@link #close()}: gates first (each drains its clients onto the others, which are
 * stopping too, so clients simply reconnect later), then the LSB, routers, logic and the notifier, each
 * role's processes in parallel. The embedded servers they use are stopped after this, by the command.
 *
 * <p>Names are {@code <role>-<n>}, numbered from 1 and never reused while the supervisor lives, so a log
 * file always belongs to one process. A process that exits by itself is logged and left stopped.
 *
 * <p>Thread-safe: the admin endpoint's request threads add and stop processes while the shutdown hook
 * may close. Owned by {@code ClusterCommand}.
 */
public final class ClusterSupervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterSupervisor.class);
    /** Stop order: gates drain first, consumers leave their groups next, the workers of offline tasks last. */
    private static final List<Role> STOP_ORDER = List.of(Role.GATE, Role.LSB, Role.ROUTER, Role.LOGIC, Role.NOTIFIER);
    /** A JVM on a busy laptop, while the others start too, waiting for Kafka's first rebalance. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** A gate's SIGTERM drain lasts at most gate.drain.deadline (30 s by default), then it closes. */
    private static final Duration GATE_GRACE = Duration.ofSeconds(45);
    private static final Duration OTHER_GRACE = Duration.ofSeconds(30);

    private final ClusterSpec spec;
    private final RoleConfigWriter configs;
    private final RoleLauncher launcher;
    /** The LSB polls the registry every lsb.poll-interval (1 s by default); a few polls are plenty. */
    private static final Duration LSB_LISTING = Duration.ofSeconds(15);
    private final LocalPorts ports = new LocalPorts();
    private final LsbListing lsbListing = new LsbListing();
    private final Map<String, RoleChild> children = new LinkedHashMap<>(); // guarded by this
    private final Map<Role, Integer> lastNumber = new EnumMap<>(Role.class); // guarded by this
    private boolean closed; // guarded by this

    public ClusterSupervisor(ClusterSpec spec, RoleConfigWriter configs, RoleLauncher launcher) {
        this.spec = spec;
        this.configs = configs;
        this.launcher = launcher;
        ports.reserve(spec.lsbPort());
        ports.reserve(spec.accountApiPort());
    }

    /**
     * Starts the processes of {@link ClusterSpec} and waits until each is ready: {@code logic-1} alone first
     * (it runs the schema migrations and creates the topics), then all the others at once.
     *
     * @throws ClusterException when one exits or is not ready in time (the caller stops the rest)
     */
    public void startAll() {
        start(List.of(plan(Role.LOGIC)));
        List<ProcessPlan> rest = new ArrayList<>();
        for (int i = 1; i < spec.logic(); i++) {
            rest.add(plan(Role.LOGIC));
        }
        for (int i = 0; i < spec.routers(); i++) {
            rest.add(plan(Role.ROUTER));
        }
        if (spec.notifier()) {
            rest.add(plan(Role.NOTIFIER));
        }
        for (int i = 0; i < spec.gates(); i++) {
            rest.add(plan(Role.GATE));
        }
        rest.add(plan(Role.LSB));
        start(rest);
    }

    /**
     * Starts one more process of {@code role} and waits until it is ready; a gate registers itself and the
     * LSB hands it out from its next registry poll, a logic or router joins its consumer group.
     */
    public RoleChild add(Role role) {
        if (role == Role.LSB && running(Role.LSB)) {
            throw new ClusterException("an LSB already runs on port " + spec.lsbPort() + "; stop it first (magpie"
                    + " cluster stop lsb-N) to start another");
        }
        RoleChild added = start(List.of(plan(role))).get(0);
        Optional<RoleChild> lsb = first(Role.LSB);
        if (role == Role.GATE && lsb.isPresent()) {
            String host = BindAddress.reachable(spec.bind());
            if (lsbListing.await("http://" + host + ":" + lsb.get().plan().httpPort(), added.name(), LSB_LISTING)) {
                log.info("[cluster] the LSB hands out {} now", added.name());
            }
        }
        return added;
    }

    /**
     * Stops {@code name} the way an operator does (SIGTERM: a gate drains its clients to the other gates, a
     * logic or router hands its partitions over) and waits for it.
     *
     * @return the stopped process
     * @throws ClusterException when no such process runs
     */
    public RoleChild stop(String name) {
        RoleChild child;
        synchronized (this) {
            child = children.get(name);
        }
        if (child == null || !child.alive()) {
            throw new ClusterException("no process " + name + " runs; running: " + runningNames());
        }
        log.info("[cluster] stopping {} (pid {}, SIGTERM)", name, child.pid());
        child.signalStop();
        boolean clean = child.awaitStop(grace(child.plan().role()));
        log.info("[cluster] {} stopped (exit status {}{})", name, child.exitStatus(), clean ? "" : ", killed");
        return child;
    }

    /** Every process started so far, running or not, in start order. */
    public synchronized List<RoleChild> processes() {
        return List.copyOf(children.values());
    }

    /** The running process of {@code role} started first, if any. */
    public synchronized Optional<RoleChild> first(Role role) {
        return children.values().stream().filter(c -> c.plan().role() == role && c.alive()).findFirst();
    }

    /** Stops every running process in {@link #STOP_ORDER}, SIGKILLing what outlives its grace. Idempotent. */
    @Override
    public void close() {
        List<RoleChild> all;
        synchronized (this) {
            closed = true; // no add() from now on
            all = List.copyOf(children.values());
        }
        for (Role role : STOP_ORDER) {
            List<RoleChild> ofRole = all.stream().filter(c -> c.plan().role() == role && c.alive()).toList();
            if (ofRole.isEmpty()) {
                continue;
            }
            log.info("[cluster] stopping {}", ofRole.stream().map(RoleChild::name).toList());
            ofRole.forEach(RoleChild::signalStop);
            for (RoleChild child : ofRole) {
                try {
                    child.awaitStop(grace(role));
                } catch (ClusterException e) {
                    // one process that outlives even SIGKILL must not leave the others running
                    log.error("[cluster] {}: {}; stopping the others anyway", child.name(), e.getMessage());
                }
            }
        }
        log.info("[cluster] every role process stopped");
    }

    private List<RoleChild> start(List<ProcessPlan> plans) {
        List<RoleChild> launched = new ArrayList<>();
        for (ProcessPlan plan : plans) {
            RoleChild child = launcher.launch(plan, configs.write(plan));
            synchronized (this) {
                if (closed) {
                    child.signalStop();
                    throw new ClusterException("the cluster is stopping; " + plan.name() + " was not started");
                }
                children.put(plan.name(), child);
            }
            watch(child);
            launched.add(child);
            log.info("[cluster] started {} (pid {}), log {}", plan.name(), child.pid(), child.log());
        }
        for (RoleChild child : launched) {
            child.awaitReady(READY_TIMEOUT);
            log.info("[cluster] {} (pid {}) is ready", child.name(), child.pid());
        }
        return launched;
    }

    /** A process that ends without being asked is worth a warning: the cluster now runs without it. */
    private void watch(RoleChild child) {
        CompletableFuture<Process> exit = child.onExit();
        exit.thenAccept(p -> {
            if (child.state() == RoleChild.State.EXITED && !stopRequested(child)) {
                log.warn("[cluster] {} (pid {}) exited by itself with status {}; it is not restarted (magpie cluster"
                        + " add {} starts a new one); last lines of {}:\n{}", child.name(), child.pid(), p.exitValue(),
                        child.plan().command(), child.log(), child.tail(15));
            }
        });
    }

    private boolean stopRequested(RoleChild child) {
        synchronized (this) {
            if (closed) {
                return true;
            }
        }
        return child.stopRequested();
    }

    private synchronized ProcessPlan plan(Role role) {
        int n = lastNumber.merge(role, 1, Integer::sum);
        String name = ProcessPlan.command(role) + "-" + n;
        return switch (role) {
            case GATE -> new ProcessPlan(name, role, ports.next(), -1, ports.next(), ports.next(), ports.next());
            case LOGIC -> new ProcessPlan(name, role, ports.next(),
                    n == 1 && spec.accountApiPort() != 0 ? spec.accountApiPort() : ports.next(), -1, -1, -1);
            case LSB -> new ProcessPlan(name, role, ports.next(), spec.lsbPort() != 0 ? spec.lsbPort() : ports.next(),
                    -1, -1, -1);
            case ROUTER, NOTIFIER -> new ProcessPlan(name, role, ports.next(), -1, -1, -1, -1);
        };
    }

    private synchronized boolean running(Role role) {
        return children.values().stream().anyMatch(c -> c.plan().role() == role && c.alive());
    }

    private synchronized List<String> runningNames() {
        return children.values().stream().filter(RoleChild::alive).map(RoleChild::name).toList();
    }

    private static Duration grace(Role role) {
        return role == Role.GATE ? GATE_GRACE : OTHER_GRACE;
    }
}
