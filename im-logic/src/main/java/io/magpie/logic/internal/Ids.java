package io.magpie.logic.internal;

import io.javalin.http.Context;

/** Reads ids, versions and limits from paths and query strings; anything else is a 400 naming it. */
final class Ids {

    private Ids() {
    }

    /** A path parameter that must be a positive 64-bit id (snowflake ids have 19 digits). */
    static long pathId(Context ctx, String name) throws ApiException {
        String raw = ctx.pathParam(name);
        long id = parse(raw);
        if (id <= 0) {
            throw ApiException.badRequest(name + " must be a positive integer, got '" + JsonBodies.abbreviate(raw) + "'");
        }
        return id;
    }

    /** An optional version (decimal string, >= 0) from the query; absent = 0. */
    static long queryVersion(Context ctx, String name) throws ApiException {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return 0;
        }
        long v = parse(raw);
        if (v < 0) {
            throw ApiException.badRequest(name + " must be a version as a decimal string (0 or more, as the last"
                    + " answer's version), got '" + JsonBodies.abbreviate(raw) + "'");
        }
        return v;
    }

    /** An optional limit from the query, 1..max; absent = {@code otherwise}. */
    static int queryLimit(Context ctx, String name, int otherwise, int max) throws ApiException {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return otherwise;
        }
        long v = parse(raw);
        if (v < 1 || v > max) {
            throw ApiException.badRequest(name + " must be 1-" + max + ", got '" + JsonBodies.abbreviate(raw) + "'");
        }
        return (int) v;
    }

    /** The value, or -1 when {@code raw} is not a decimal number that fits a long. */
    private static long parse(String raw) {
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            return -1; // 19 digits above Long.MAX_VALUE
        }
    }
}
