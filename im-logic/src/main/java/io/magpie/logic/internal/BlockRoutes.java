package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.das.AccountRepository;
import io.magpie.das.Blocklist;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.proto.NoticeType;
import java.util.List;

/**
 * The blocklist routes of the account API (JSON; the caller is the bearer token's uid). A blocked user's
 * one-to-one SENDs to the caller are refused ({@code BLOCKED}), they cannot add the caller to groups nor
 * see the caller's presence; group messages are not filtered; friendships and pending requests stay.
 * The blocked user is not told; the caller's other devices get {@code NOTICE_BLOCKS_CHANGED}.
 * <ul>
 *   <li>{@code PUT /v1/blocks/{uid}} -> 204 (blocking again changes nothing)</li>
 *   <li>{@code DELETE /v1/blocks/{uid}} -> 204 (unblocking someone not blocked changes nothing)</li>
 *   <li>{@code GET /v1/blocks} -> {@code {blocks: [{uid, blockedAt}]}}, most recent first</li>
 * </ul>
 * Thread-safe; blocking (JDBC): runs on the HTTP server's threads.
 */
public final class BlockRoutes {

    record BlockView(long uid, long blockedAt) {
    }

    record Blocks(List<BlockView> blocks) {
    }

    private final Blocklist blocks;
    private final AccountRepository accounts;
    private final FriendNotices notices;

    public BlockRoutes(Blocklist blocks, AccountRepository accounts, FriendNotices notices) {
        this.blocks = blocks;
        this.accounts = accounts;
        this.notices = notices;
    }

    public void register(Javalin app) {
        app.put("/v1/blocks/{uid}", this::block);
        app.delete("/v1/blocks/{uid}", this::unblock);
        app.get("/v1/blocks", this::list);
    }

    private void block(Context ctx) throws ApiException {
        TokenClaims claims = BearerAuth.caller(ctx);
        long caller = claims.uid();
        long uid = Ids.pathId(ctx, "uid");
        if (uid == caller) {
            throw ApiException.badRequest("you cannot block yourself (uid " + caller + ")");
        }
        if (accounts.findById(uid).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "there is no account with uid " + uid);
        }
        if (blocks.block(caller, uid)) {
            notices.send(caller, NoticeType.NOTICE_BLOCKS_CHANGED, uid, claims.appId(), null, 0);
        }
        ctx.status(204);
    }

    private void unblock(Context ctx) throws ApiException {
        TokenClaims claims = BearerAuth.caller(ctx);
        long caller = claims.uid();
        long uid = Ids.pathId(ctx, "uid");
        if (blocks.unblock(caller, uid)) {
            notices.send(caller, NoticeType.NOTICE_BLOCKS_CHANGED, uid, claims.appId(), null, 0);
        }
        ctx.status(204);
    }

    private void list(Context ctx) {
        ctx.json(new Blocks(blocks.list(BearerAuth.caller(ctx).uid()).stream()
                .map(e -> new BlockView(e.blockedUid(), e.blockedAt())).toList()));
    }
}
