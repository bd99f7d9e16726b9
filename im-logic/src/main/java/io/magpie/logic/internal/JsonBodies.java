package io.magpie.logic.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

/**
 * Reads a request's JSON body into a record; anything else is a 400 naming what was wrong.
 * Thread-safe.
 */
public final class JsonBodies {

    private final ObjectMapper json;

    public JsonBodies(ObjectMapper json) {
        this.json = json;
    }

    public <T> T read(Context ctx, Class<T> type) throws ApiException {
        String body = ctx.body();
        if (body.isBlank()) {
            throw ApiException.badRequest("the request needs a JSON body");
        }
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("the request body must be a JSON object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not the expected JSON object: " + e.getOriginalMessage());
        }
    }

    /** A path parameter that must be a positive id. */
    public static long positiveId(Context ctx, String name) throws ApiException {
        String raw = ctx.pathParam(name);
        // at most 18 digits always fits a long: no overflow to catch
        if (raw.length() <= 18 && !raw.isEmpty() && raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        }
        throw ApiException.badRequest(name + " must be a positive integer, got '" + abbreviate(raw) + "'");
    }

    static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
