package io.magpie.http.internal;

/**
 * A request body passed the server's limit while a route read it. Unchecked so that it leaves any body
 * reader unchanged (Javalin's {@code ctx.body()}, Jackson); {@code BodyLimit} maps it to 413. Not
 * retryable: the same body is refused again.
 */
public final class BodyTooLargeException extends RuntimeException {

    public BodyTooLargeException(String message) {
        super(message, null, false, false);
    }
}
