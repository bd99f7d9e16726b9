package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.PresenceSettings;
import io.magpie.das.Relations;
import io.magpie.logic.PresenceConfig;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.PresenceAck;
import io.magpie.protocol.proto.PresenceRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.registry.PresenceWatches;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Answers PRESENCE (docs/PROTOCOL.md §9.14): replaces the caller's explicit watch list when asked, then
 * returns PRESENCE_ACK with the state of each queried user as the caller may see it (users who blocked the
 * caller read as offline with nothing else, see {@link PresenceStates}). A request over the caps is refused
 * BAD_REQUEST naming the cap. Blocking (Redis, MySQL); thread-safe; throws on storage failures (the caller
 * answers SERVER_BUSY).
 */
public final class PresenceQueryHandler {

    /** Short: a query runs on the upstream consumer's thread, between a batch's sends and their acks. */
    private static final long REDIS_WAIT_SECONDS = 2;

    private final RouteTable routes;
    private final PresenceSettings settings;
    private final Relations relations;
    private final PresenceWatches watches;
    private final PresenceConfig config;

    public PresenceQueryHandler(RouteTable routes, PresenceSettings settings, Relations relations,
            PresenceWatches watches, PresenceConfig config) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.relations = Objects.requireNonNull(relations, "relations");
        this.watches = Objects.requireNonNull(watches, "watches");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The PRESENCE_ACK to the asking connection, or an ERROR BAD_REQUEST. */
    public OutgoingPush answer(UpstreamEnvelope env) throws Exception {
        PresenceRequest req;
        try {
            req = PresenceRequest.parseFrom(env.getBody());
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, "body of PRESENCE (" + env.getBody().size() + " bytes) is not a valid PresenceRequest: "
                    + e.getMessage());
        }
        Set<Long> query = new LinkedHashSet<>(req.getQueryUidsList());
        if (query.size() > config.maxQueryUids()) {
            return refuse(env, "query_uids names " + query.size() + " users; at most " + config.maxQueryUids()
                    + " (logic.presence.max-query-uids) per PRESENCE: split the query");
        }
        Set<Long> watch = new LinkedHashSet<>(req.getWatchUidsList());
        if (watch.size() > config.maxWatchList()) {
            return refuse(env, "watch_uids names " + watch.size() + " users; a watch list holds at most "
                    + config.maxWatchList() + " (logic.presence.max-watch-list); nothing was changed");
        }
        if (query.stream().anyMatch(uid -> uid <= 0) || watch.stream().anyMatch(uid -> uid <= 0)) {
            return refuse(env, "query_uids and watch_uids must hold uids > 0");
        }
        long caller = env.getUid();
        PresenceAck.Builder ack = PresenceAck.newBuilder();
        if (req.getSetWatch()) {
            ack.setWatching(watches.replace(caller, watch).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS));
        }
        if (!query.isEmpty()) {
            Map<Long, List<Route>> live = routes.lookup(query).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
            Map<Long, PresenceSettings.Setting> stored = settings.read(query);
            Set<Long> blockers = relations.blockersAmong(caller, query);
            for (long uid : query) {
                ack.addStates(blockers.contains(uid) ? PresenceStates.blocked(uid)
                        : PresenceStates.of(uid, live.getOrDefault(uid, List.of()), stored.get(uid)));
            }
        }
        return PushTaskFactory.reply(env, Command.PRESENCE_ACK, ack.build());
    }

    private static OutgoingPush refuse(UpstreamEnvelope env, String message) {
        return PushTaskFactory.error(new Rejection(env, ErrorCode.BAD_REQUEST, message));
    }
}
