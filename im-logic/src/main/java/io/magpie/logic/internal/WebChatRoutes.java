package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The web chat page on the account API's listener: its built files (the {@code im-web} module puts them in the
 * jar under {@code magpie-web/chat/}) at {@code /chat/}, and {@code GET /chat/config.json} telling the page
 * where the account API ({@code ""}: the page's own origin) and the LSB are. Served only when the jar carries
 * the page and {@code web.lsb-url} names the LSB; otherwise the routes do not exist (404). Stateless.
 */
public final class WebChatRoutes {

    /** Where the page is served. */
    public static final String PATH = "/chat/";
    private static final String CLASSPATH_DIR = "/magpie-web/chat";

    private final String lsbUrl;

    /**
     * @param lsbUrl the LSB as a browser reaches it; null = the page is not served
     */
    public WebChatRoutes(String lsbUrl) {
        this.lsbUrl = lsbUrl;
    }

    /** Whether this listener serves the page: the jar carries it and the LSB's address is known. */
    public boolean enabled() {
        return lsbUrl != null && WebChatRoutes.class.getResource(CLASSPATH_DIR + "/index.html") != null;
    }

    /**
     * Whether {@code ctx} asks for one of the page's static files: public like the page itself. Javalin runs the
     * before-matched handlers (the bearer check) for static files too, which carry no route roles.
     */
    static boolean isPageFile(Context ctx) {
        return (ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD)
                && ctx.path().startsWith(PATH) && ctx.routeRoles().isEmpty();
    }

    /** The page's files; call while the server is configured. */
    public void configure(JavalinConfig cfg) {
        if (!enabled()) {
            return;
        }
        cfg.staticFiles.add(files -> {
            files.hostedPath = "/chat";
            files.directory = CLASSPATH_DIR;
            files.location = Location.CLASSPATH;
            // the file names inside assets/ change with their content; index.html must be asked for every time
            files.headers = Map.of("Cache-Control", "no-cache");
        });
    }

    /** The page's runtime configuration, and the root leading to the page. */
    public void register(Javalin javalin) {
        if (!enabled()) {
            return;
        }
        javalin.get(PATH + "config.json", ctx -> ctx.header("Cache-Control", "no-cache")
                .json(Map.of("accountUrl", "", "lsbUrl", lsbUrl)), Access.OPEN);
        javalin.get("/", ctx -> ctx.redirect(PATH), Access.OPEN);
    }
}
