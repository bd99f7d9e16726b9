package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * {@code GET /v1/conversations/{conversationId}/messages/{seq}/receipts} -> 200
 * {@code {conversationId, seq, readCount, unreadCount, readers?}} ({@link ReceiptService}). Thread-safe.
 */
public final class ReceiptRoutes {

    private final ReceiptService receipts;

    public ReceiptRoutes(ReceiptService receipts) {
        this.receipts = receipts;
    }

    public void register(Javalin app) {
        app.get("/v1/conversations/{conversationId}/messages/{seq}/receipts", this::receipts);
    }

    private void receipts(Context ctx) throws ApiException {
        ctx.json(receipts.of(BearerAuth.caller(ctx).uid(), ctx.pathParam("conversationId"),
                JsonBodies.positiveId(ctx, "seq")));
    }
}
