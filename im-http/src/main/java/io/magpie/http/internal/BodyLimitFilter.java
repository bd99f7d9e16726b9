package io.magpie.http.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a request whose declared {@code Content-Length} is over the limit with 413 before the route
 * runs, and hands every other request on with its body stream capped at the limit
 * ({@link BodyTooLargeException} on the first byte past it); either way the connection is closed once
 * the 413 is out. Thread-safe; one per server.
 */
public final class BodyLimitFilter implements Filter {

    private static final Logger log = LoggerFactory.getLogger(BodyLimitFilter.class);

    private final int maxBytes;
    private final Map<String, Long> largerLimits;

    public BodyLimitFilter(int maxBytes) {
        this(maxBytes, Map.of());
    }

    /** @param largerLimits exact request paths that may carry more than {@code maxBytes}, with their limit */
    public BodyLimitFilter(int maxBytes, Map<String, Long> largerLimits) {
        this.maxBytes = maxBytes;
        this.largerLimits = Map.copyOf(largerLimits);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        long maxBytes = largerLimits.getOrDefault(http.getRequestURI(), (long) this.maxBytes);
        long declared = http.getContentLengthLong();
        if (declared > maxBytes) {
            String why = "the request body is " + declared + " bytes (Content-Length), over this server's limit of "
                    + maxBytes + " bytes; it was not read and the connection is closed";
            log.info("[http {} {} from {}] refused with 413: {}", http.getMethod(), http.getRequestURI(),
                    http.getRemoteAddr(), why);
            HttpServletResponse res = (HttpServletResponse) response;
            res.setStatus(413);
            res.setHeader("Connection", "close");
            res.setContentType("application/json");
            res.getOutputStream().write(errorJson(why).getBytes(StandardCharsets.UTF_8));
            // answer now: the client may be waiting for a 100-continue or still sending, not reading
            res.flushBuffer();
            drop(http);
            return;
        }
        Capped capped = new Capped(http, maxBytes);
        chain.doFilter(capped, response);
        if (capped.stream != null && capped.stream.overflowed()) {
            response.flushBuffer(); // the 413 of BodyLimit's exception handler
            drop(http);
        }
    }

    /**
     * Closes the connection of a refused body. Jetty would otherwise half-close it and read on to
     * discard the rest of the body, for as long as the client sends: nothing is kept, but an endless
     * body would keep the connection busy forever.
     */
    private static void drop(HttpServletRequest request) {
        Request base = Request.getBaseRequest(request);
        if (base != null && base.getHttpChannel() != null) {
            base.getHttpChannel().getEndPoint().close();
        }
    }

    /** Our error shape, {@code {code, message}}; the message is ours and holds no quote or backslash. */
    public static String errorJson(String message) {
        return "{\"code\":\"PAYLOAD_TOO_LARGE\",\"message\":\"" + message + "\"}";
    }

    /** The request with its body stream capped; the stream is made once, on first use. */
    private static final class Capped extends HttpServletRequestWrapper {
        private final long maxBytes;
        private CappedStream stream;

        Capped(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CappedStream(super.getInputStream(), maxBytes, (HttpServletRequest) getRequest());
            }
            return stream;
        }
    }

    /**
     * Reads through to Jetty's stream and counts; never asks it for more than one byte past the limit, so
     * nothing beyond the limit is copied out of Jetty's (fixed size) input buffers.
     */
    static final class CappedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long maxBytes;
        private final HttpServletRequest request;
        private long read;

        boolean overflowed() {
            return read > maxBytes;
        }

        CappedStream(ServletInputStream in, long maxBytes, HttpServletRequest request) {
            this.in = in;
            this.maxBytes = maxBytes;
            this.request = request;
        }

        @Override
        public int read() throws IOException {
            checkRoom();
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            checkRoom();
            long room = maxBytes + 1L - read; // one past the limit tells "over" from "exactly at"
            int n = in.read(buffer, offset, (int) Math.min(length, room));
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void checkRoom() {
            if (read > maxBytes) {
                throw tooLarge();
            }
        }

        private void count(int n) {
            read += n;
            if (read > maxBytes) {
                throw tooLarge();
            }
        }

        private BodyTooLargeException tooLarge() {
            String why = "the request body is over this server's limit of " + maxBytes + " bytes (sent without a"
                    + " Content-Length, refused once the limit was passed); the connection is closed";
            log.info("[http {} {} from {}] refused with 413: {}", request.getMethod(), request.getRequestURI(),
                    request.getRemoteAddr(), why);
            return new BodyTooLargeException(why);
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
