package io.magpie.client.internal;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A multipart/form-data body of one text field and one file, the file streamed from disk (never read into
 * memory) and the total length known, so the upload is not chunked. Immutable.
 */
public final class MultipartForm {

    private final String boundary;
    private final HttpRequest.BodyPublisher body;

    private MultipartForm(String boundary, HttpRequest.BodyPublisher body) {
        this.boundary = boundary;
        this.body = body;
    }

    /** The field {@code fieldName=fieldValue}, then {@code file} as the part {@code fileField} of {@code type}. */
    public static MultipartForm of(String fieldName, String fieldValue, String fileField, Path file, String type)
            throws FileNotFoundException {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String boundary = "magpie-" + HexFormat.of().formatHex(random);
        String name = file.getFileName().toString().replace("\"", "'").replaceAll("[\\r\\n]", " ");
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fieldName + "\"\r\n\r\n"
                + fieldValue + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField
                + "\"; filename=\"" + name + "\"\r\nContent-Type: " + type + "\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        return new MultipartForm(boundary, HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofByteArray(head.getBytes(StandardCharsets.UTF_8)),
                HttpRequest.BodyPublishers.ofFile(file),
                HttpRequest.BodyPublishers.ofByteArray(tail.getBytes(StandardCharsets.UTF_8))));
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    public HttpRequest.BodyPublisher body() {
        return body;
    }
}
