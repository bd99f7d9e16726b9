package io.magpie.logic.media;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Adobe's S3Mock, an S3-compatible server, started in this JVM for the S3 store's tests. Its Spring Boot 3.3
 * application brings Jetty 12 and Servlet 6, which cannot share a classpath with Javalin's Jetty 11, so it runs
 * from its own class loader (parent: the platform loader) over the exec jar that the build unpacked into
 * {@code target/s3mock} (im-logic's pom). Plain HTTP on an ephemeral port; one bucket created at start.
 */
public final class S3MockServer implements AutoCloseable {

    private static final Path UNPACKED = Path.of("target", "s3mock", "BOOT-INF");
    private static final String APPLICATION = "com.adobe.testing.s3mock.S3MockApplication";

    private final URLClassLoader loader;
    private final Object application;
    private final int port;

    private S3MockServer(URLClassLoader loader, Object application, int port) {
        this.loader = loader;
        this.application = application;
        this.port = port;
    }

    /** Starts a server holding the empty bucket {@code bucket}, its objects under {@code root}. */
    public static S3MockServer start(String bucket, Path root) throws Exception {
        URLClassLoader loader = new URLClassLoader("s3mock", classpath(), ClassLoader.getPlatformClassLoader());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Class<?> app = loader.loadClass(APPLICATION);
            // mutable: start() takes some entries out
            Map<String, Object> properties = new HashMap<>(Map.of(
                    "http.port", 0,
                    "server.port", 0,
                    "com.adobe.testing.s3mock.domain.initialBuckets", bucket,
                    "com.adobe.testing.s3mock.domain.root", root.toString(),
                    "silent", true,
                    "spring.main.banner-mode", "off"));
            Object running = app.getMethod("start", Map.class, String[].class).invoke(null, properties,
                    new String[0]);
            int port = (int) app.getMethod("getHttpPort").invoke(running);
            return new S3MockServer(loader, running, port);
        } catch (InvocationTargetException e) {
            loader.close();
            throw new IllegalStateException("S3Mock did not start: " + e.getCause(), e.getCause());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** {@code http://127.0.0.1:<port>}, the endpoint override of a client. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            application.getClass().getMethod("stop").invoke(application);
        } finally {
            thread.setContextClassLoader(previous);
            loader.close();
        }
    }

    private static URL[] classpath() throws IOException {
        if (!Files.isDirectory(UNPACKED.resolve("lib"))) {
            throw new IllegalStateException(UNPACKED.toAbsolutePath() + " is missing: the build unpacks S3Mock there"
                    + " in pre-integration-test (im-logic's pom, unpack-s3mock); run the ITs through Maven");
        }
        List<URL> urls = new ArrayList<>();
        urls.add(url(UNPACKED.resolve("classes")));
        try (Stream<Path> jars = Files.list(UNPACKED.resolve("lib"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(url(jar));
            }
        }
        return urls.toArray(URL[]::new);
    }

    private static URL url(Path p) throws MalformedURLException {
        return p.toAbsolutePath().toUri().toURL();
    }
}
