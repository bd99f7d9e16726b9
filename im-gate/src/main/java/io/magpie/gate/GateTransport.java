package io.magpie.gate;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * The socket layer of the gate's listeners ({@code gate.transport}). {@link #EPOLL} uses Netty's native
 * Linux transport: per connection it holds a file descriptor wrapper instead of the JDK's socket channel, its
 * socket adaptor, selection key and locks, about 490 bytes less of heap per idle connection
 * (docs/benchmarks.md), and one system call less per wake-up. {@link #NIO} is the JDK's selector, on any OS.
 * {@link #AUTO} (the default) takes epoll where its native library loads (Linux on x86_64 or aarch64) and
 * NIO elsewhere.
 */
public enum GateTransport {
    AUTO, EPOLL, NIO;

    /** Parses a {@code gate.transport} value: auto, epoll or nio (any case). */
    public static GateTransport parse(String value) {
        for (GateTransport t : values()) {
            if (t.name().equalsIgnoreCase(value.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("gate.transport must be auto, epoll or nio, got '" + value + "'");
    }

    /**
     * The transport this setting runs on here: {@link #AUTO} becomes {@link #EPOLL} or {@link #NIO}.
     *
     * @throws IllegalStateException for {@link #EPOLL} where the native library does not load, with the reason
     */
    public GateTransport resolve() {
        return switch (this) {
            case NIO -> NIO;
            case AUTO -> Epoll.isAvailable() ? EPOLL : NIO;
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("gate.transport=epoll but Netty's native epoll transport does not "
                            + "load here (" + Epoll.unavailabilityCause() + "); set gate.transport to auto or nio");
                }
                yield EPOLL;
            }
        };
    }

    /** Event loops of this (resolved) transport; 0 threads = Netty's default. */
    public EventLoopGroup eventLoops(int threads, ThreadFactory threadFactory) {
        return resolve() == EPOLL ? new EpollEventLoopGroup(threads, threadFactory)
                : new NioEventLoopGroup(threads, threadFactory);
    }

    /** The listening socket class matching {@link #eventLoops}. */
    public Class<? extends ServerChannel> serverChannel() {
        return resolve() == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The setting's spelling, as in the configuration file. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
