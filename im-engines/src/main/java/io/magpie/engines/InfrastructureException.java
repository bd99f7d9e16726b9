package io.magpie.engines;

/**
 * A server of the {@link Infrastructure} could not be started, reached or used. The message names
 * the server, its address and (for embedded servers) the tail of its log; the cause chain carries
 * the original failure, and failures of the other servers started at the same time are attached
 * as suppressed exceptions. Retrying rarely helps: the cause is usually the machine (disk, ports,
 * a missing library) or an external server's configuration.
 */
public class InfrastructureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InfrastructureException(String message, Throwable cause) {
        super(message, cause);
    }
}
