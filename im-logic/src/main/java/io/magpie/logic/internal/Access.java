package io.magpie.logic.internal;

import io.javalin.security.RouteRole;

/**
 * Who may call an HTTP route. Routes carry {@link #OPEN} when anyone may (register, log in, health,
 * the OpenAPI document) and {@link #ADMIN} when only the operator may ({@link AdminAuth}); every other
 * route needs a login token ({@link BearerAuth}), so a route added without a role is protected by
 * default.
 */
public enum Access implements RouteRole {
    OPEN,
    ADMIN
}
