package io.magpie.testkit;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One of our OpenAPI documents as a contract the HTTP tests hold the server to: {@link #load} refuses a
 * document a standard parser finds problems in, and {@link #send} checks every response (status,
 * content type, body schema) against the operation the request hit.
 */
public final class OpenApiContract {

    private final String resource;
    private final OpenApiInteractionValidator validator;

    private OpenApiContract(String resource, OpenApiInteractionValidator validator) {
        this.resource = resource;
        this.validator = validator;
    }

    /** Loads the classpath document {@code resource}; fails naming every problem {@link #problems} finds. */
    public static OpenApiContract load(String resource) {
        String yaml = read(resource);
        List<String> problems = problems(resource, yaml);
        if (!problems.isEmpty()) {
            throw new AssertionError(resource + " is not a valid OpenAPI document:\n  "
                    + String.join("\n  ", problems));
        }
        // The validator refuses properties a schema does not list (it injects additionalProperties: false),
        // so every field the server sends must be documented; allOf is merged first, or that injection
        // would make each part refuse the other's properties.
        return new OpenApiContract(resource, OpenApiInteractionValidator.createForInlineApiSpecification(yaml)
                .withResolveCombinators(true).build());
    }

    /** What swagger-parser reports about the classpath document {@code resource}: empty when it is valid. */
    public static List<String> problems(String resource) {
        return problems(resource, read(resource));
    }

    private static List<String> problems(String resource, String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(yaml, null, options);
        if (result.getOpenAPI() == null && result.getMessages().isEmpty()) {
            return List.of(resource + " could not be parsed at all");
        }
        return List.copyOf(result.getMessages());
    }

    /** Sends {@code request} and returns its response after checking it against the document. */
    public HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        return check(request, http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    /**
     * Sends {@code request} to a path or method the document deliberately lacks (a probe of the server's
     * answer to unknown routes) and returns the response unchecked; fails if the document does have the
     * operation, so that the probe is checked with {@link #send} once it is documented.
     */
    public HttpResponse<String> sendUndocumented(HttpClient http, HttpRequest request)
            throws IOException, InterruptedException {
        return checkUndocumented(request,
                http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    /** Fails if the document has the operation {@code request} hit; see {@link #sendUndocumented}. */
    public HttpResponse<String> checkUndocumented(HttpRequest request, HttpResponse<String> response) {
        String path = request.uri().getRawPath();
        boolean undocumented = validate(request, response).getMessages().stream().map(ValidationReport.Message::getKey)
                .anyMatch(key -> key.equals("validation.request.path.missing")
                        || key.equals("validation.request.operation.notAllowed"));
        if (!undocumented) {
            throw new AssertionError(request.method() + " " + path + " is documented in " + resource
                    + "; check its answer with send");
        }
        return response;
    }

    /**
     * Checks {@code response} to {@code request} against the operation the document gives for the
     * request's path and method: a status the operation does not list, another content type or a body
     * off its schema fails with the validator's messages.
     */
    public HttpResponse<String> check(HttpRequest request, HttpResponse<String> response) {
        String path = request.uri().getRawPath();
        ValidationReport report = validate(request, response);
        if (report.hasErrors()) {
            throw new AssertionError(request.method() + " " + path + " answered " + response.statusCode()
                    + " off the contract " + resource + ":\n  "
                    + report.getMessages().stream().map(ValidationReport.Message::toString)
                            .collect(Collectors.joining("\n  "))
                    + "\nbody: " + response.body());
        }
        return response;
    }

    /**
     * Checks a binary answer (a download) against the operation: its status and content type, and a JSON body
     * (an error) against its schema; other bytes are not JSON, so only their presence is checked.
     */
    public HttpResponse<byte[]> checkBinary(HttpRequest request, HttpResponse<byte[]> response) {
        boolean json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
        String body = json ? new String(response.body(), StandardCharsets.UTF_8)
                : response.body().length == 0 ? "" : "<" + response.body().length + " bytes>";
        ValidationReport report = validate(request, response.statusCode(), response.headers().map(), body);
        if (report.hasErrors()) {
            throw new AssertionError(request.method() + " " + request.uri().getRawPath() + " answered "
                    + response.statusCode() + " off the contract " + resource + ":\n  "
                    + report.getMessages().stream().map(ValidationReport.Message::toString)
                            .collect(Collectors.joining("\n  ")));
        }
        return response;
    }

    private ValidationReport validate(HttpRequest request, HttpResponse<String> response) {
        return validate(request, response.statusCode(), response.headers().map(), response.body());
    }

    private ValidationReport validate(HttpRequest request, int status, java.util.Map<String, List<String>> headers,
            String body) {
        SimpleResponse.Builder answer = SimpleResponse.Builder.status(status);
        headers.forEach(answer::withHeader);
        if (!body.isEmpty()) {
            answer.withBody(body);
        }
        return validator.validateResponse(request.uri().getRawPath(), Request.Method.valueOf(request.method()),
                answer.build());
    }

    private static String read(String resource) {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no OpenAPI document " + resource + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the OpenAPI document " + resource, e);
        }
    }
}
