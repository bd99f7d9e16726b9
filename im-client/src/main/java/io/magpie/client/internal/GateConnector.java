package io.magpie.client.internal;

import io.magpie.protocol.proto.LoginRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a connection to a gate for the {@link ConnectionSupervisor}: asks the LSB which gate, connects,
 * and leaves the login running (its outcome is {@code connection.handler().loginFuture()}).
 */
public interface GateConnector {

    /**
     * @return the connection once the transport is open; fails (retryably where it makes sense) when no
     *         gate could be found or reached
     */
    CompletableFuture<ClientConnection> open(LoginRequest login, ClientHandler.Events events);
}
