package io.magpie.bench.internal.load;

import io.magpie.client.ClientConfig;
import io.magpie.client.MagpieClient;
import io.magpie.client.MessageListener;
import io.magpie.protocol.proto.LoginAck;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The SDK clients of a run: one {@link MagpieClient} per bench user, all on one shared Netty event loop
 * group (so a thousand clients cost a few threads, not a thousand), connected through the LSB with
 * bounded parallelism. {@link #close()} closes every client, then the group.
 *
 * <p>Not thread-safe for set-up; {@link #clients()} is safe to read once {@link #connect} returned.
 */
public final class ClientFleet implements AutoCloseable {

    private final ClientConfig base;
    private final EventLoopGroup group;
    private final List<MagpieClient> clients = new ArrayList<>();
    private final Map<String, Integer> initialGates = new TreeMap<>();
    private final List<String> initialGateOf = new ArrayList<>();

    /** @param threads event loop threads shared by all clients */
    public ClientFleet(ClientConfig base, int threads) {
        this.group = new NioEventLoopGroup(threads, new DefaultThreadFactory("bench-client", true));
        this.base = base.toBuilder().eventLoopGroup(group).build();
    }

    /**
     * Creates and connects one client per user, each with the listener {@code listenerFor} returns.
     *
     * @throws IllegalStateException when a client cannot connect (the rest are closed by {@link #close()})
     */
    public List<MagpieClient> connect(List<BenchUsers.User> users, Function<BenchUsers.User, MessageListener> listenerFor,
                                      int parallelism, Duration deadline, PrintStream out) {
        return connect(users, (u, c) -> listenerFor.apply(u), parallelism, deadline, out);
    }

    /**
     * Like {@link #connect(List, Function, int, Duration, PrintStream)}, the listener made knowing its client
     * (a recipient that answers deliveries, e.g. with READ, needs it); null = no listener.
     */
    public List<MagpieClient> connect(List<BenchUsers.User> users,
                                      BiFunction<BenchUsers.User, MagpieClient, MessageListener> listenerFor,
                                      int parallelism, Duration deadline, PrintStream out) {
        long t0 = System.nanoTime();
        for (BenchUsers.User u : users) {
            MagpieClient c = new MagpieClient(base.toBuilder().deviceId(u.deviceId()).build());
            MessageListener l = listenerFor.apply(u, c);
            if (l != null) {
                c.addListener(l);
            }
            clients.add(c);
        }
        List<LoginAck> acks = BoundedAsync.run("connecting " + users.size() + " clients", users.size(), parallelism,
                deadline, i -> clients.get(i).connect(users.get(i).credentials()),
                done -> out.printf("  connected %d/%d clients%n", done, users.size()));
        for (LoginAck ack : acks) {
            initialGates.merge(ack.getGateId(), 1, Integer::sum);
            initialGateOf.add(ack.getGateId());
        }
        out.printf("  %d clients connected in %.1f s (per gate: %s)%n", users.size(), (System.nanoTime() - t0) / 1e9,
                initialGates);
        return Collections.unmodifiableList(clients);
    }

    public List<MagpieClient> clients() {
        return Collections.unmodifiableList(clients);
    }

    /** Clients per gate id as their first LOGIN_ACK said. */
    public Map<String, Integer> initialGates() {
        return Collections.unmodifiableMap(initialGates);
    }

    /** The gate id of client {@code i}'s first LOGIN_ACK. */
    public String initialGateOf(int i) {
        return initialGateOf.get(i);
    }

    public EventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        for (MagpieClient c : clients) {
            c.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
