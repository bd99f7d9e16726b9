package io.magpie.client.internal;

import io.magpie.client.GateAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.concurrent.CompletableFuture;

/** One open connection to a gate: where it goes, its channel and its session handler. */
public record ClientConnection(GateAddress gate, Channel channel, ClientHandler handler) {

    public boolean isActive() {
        return channel.isActive();
    }

    public ChannelFuture close() {
        return channel.close();
    }

    /** Closes and completes once the channel is closed. */
    public CompletableFuture<Void> closeAsync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.close().addListener(f -> done.complete(null));
        return done;
    }
}
