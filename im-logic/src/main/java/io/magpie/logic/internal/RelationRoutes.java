package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.magpie.das.AccountRepository;
import io.magpie.das.Blocklist;
import io.magpie.das.DirectMessagePolicies;
import io.magpie.das.Friendships;
import io.magpie.idgen.IdGenerator;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * Wires and registers the people routes of the account API: friends ({@link FriendRoutes}), blocks
 * ({@link BlockRoutes}) and the direct message policy ({@link DmPolicyRoutes}). Thread-safe.
 */
public final class RelationRoutes {

    private final FriendRoutes friends;
    private final BlockRoutes blocks;
    private final DmPolicyRoutes dmPolicy;

    /**
     * @param ids     snowflake ids: friend request ids and friend-list versions
     * @param notices where the friend and block NOTICEs go ({@link FriendNotices#NONE} without a cluster)
     */
    public RelationRoutes(DataSource dataSource, IdGenerator ids, FriendNotices notices, JsonBodies bodies,
            Clock clock) {
        AccountRepository accounts = new AccountRepository(dataSource);
        Blocklist blocklist = new Blocklist(dataSource, clock);
        this.friends = new FriendRoutes(new FriendService(new Friendships(dataSource, clock, ids::nextId), blocklist,
                accounts, ids, notices), bodies);
        this.blocks = new BlockRoutes(blocklist, accounts, notices);
        this.dmPolicy = new DmPolicyRoutes(new DirectMessagePolicies(dataSource, clock), bodies);
    }

    public void register(Javalin app) {
        friends.register(app);
        blocks.register(app);
        dmPolicy.register(app);
    }
}
