package io.magpie.logic.internal;

import io.magpie.das.AccountRepository;
import io.magpie.das.UserRestrictions;
import io.magpie.das.UserRestrictions.Kind;
import io.magpie.das.UserRestrictions.Restriction;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.KickReason;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's bans and global mutes ({@code user_restriction}, MySQL the truth). A ban ends every session
 * of the user (their tokens are refused by the API and by the gates, as after a logout: the same revocation
 * in MySQL and Redis) and KICKs their connections (reason ADMIN); from then on login and refresh answer
 * 403 {@code BANNED} ({@link #refuseIfBanned}) until it ends or is lifted. A mute is only stored: the send
 * path reads it ({@link SenderMutes}). Thread-safe; blocking (JDBC, Redis waits): runs on the HTTP
 * server's threads.
 */
public final class UserModeration {

    private static final Logger log = LoggerFactory.getLogger(UserModeration.class);

    /** What a ban did. */
    public record Banned(Restriction ban, List<String> endedDevices) {
    }

    private final AccountRepository accounts;
    private final UserRestrictions restrictions;
    private final DeviceSessionService sessions;
    private final Clock clock;

    public UserModeration(AccountRepository accounts, UserRestrictions restrictions, DeviceSessionService sessions,
            Clock clock) {
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.restrictions = Objects.requireNonNull(restrictions, "restrictions");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Bans {@code uid} until {@code untilMillis} (0 = until lifted), ends its sessions and kicks its connections.
     * The ban is stored before the sessions end, so a login racing with it either sees the ban or opened a
     * session this revocation ends.
     */
    public Banned ban(long uid, long untilMillis, String reason) throws ApiException {
        Restriction ban = impose(uid, Kind.BAN, untilMillis, reason);
        List<String> ended = sessions.revokeAll(uid, null, KickReason.ADMIN, describe("banned this account", ban));
        LogIdentity.user(log.atInfo(), uid).log("[uid={}] banned {}; sessions of devices {} ended", uid,
                ban.untilMillis() == 0 ? "until lifted" : "until " + Instant.ofEpochMilli(ban.untilMillis()), ended);
        return new Banned(ban, ended);
    }

    /** Mutes {@code uid} everywhere until {@code untilMillis} (0 = until lifted); applies within {@link SenderMutes#DEFAULT_TTL}. */
    public Restriction mute(long uid, long untilMillis, String reason) throws ApiException {
        Restriction mute = impose(uid, Kind.MUTE, untilMillis, reason);
        LogIdentity.user(log.atInfo(), uid).log("[uid={}] muted {}", uid, mute.untilMillis() == 0 ? "until lifted"
                : "until " + Instant.ofEpochMilli(mute.untilMillis()));
        return mute;
    }

    /** Lifts the ban or mute of {@code uid}; false when it had none. */
    public boolean lift(long uid, Kind kind) throws ApiException {
        requireAccount(uid);
        boolean had = restrictions.lift(uid, kind);
        LogIdentity.user(log.atInfo(), uid).log("[uid={}] {} {}", uid, kind, had ? "lifted" : "was not imposed");
        return had;
    }

    /** The ban of {@code uid} in force now, if any. */
    public Optional<Restriction> activeBan(long uid) {
        return Optional.ofNullable(restrictions.find(uid).get(Kind.BAN)).filter(b -> b.activeAt(clock.millis()));
    }

    /** @throws ApiException 403 BANNED (with until when and the reason) when {@code uid} is banned now */
    public void refuseIfBanned(long uid) throws ApiException {
        Optional<Restriction> ban = activeBan(uid);
        if (ban.isPresent()) {
            throw new ApiException(403, "BANNED", describe("banned this account", ban.get())
                    + "; logging in is refused");
        }
    }

    /** "an operator banned this account until 2026-03-01T10:00:00Z (reason: spam)". */
    static String describe(String what, Restriction r) {
        return "an operator " + what + (r.untilMillis() == 0 ? " until it is lifted"
                : " until " + Instant.ofEpochMilli(r.untilMillis())) + (r.reason().isEmpty() ? ""
                : " (reason: " + r.reason() + ")");
    }

    private Restriction impose(long uid, Kind kind, long untilMillis, String reason) throws ApiException {
        requireAccount(uid);
        long now = clock.millis();
        if (untilMillis != 0 && untilMillis <= now) {
            throw ApiException.badRequest("until must be in the future (ms since the epoch, now is " + now
                    + "), or 0 / absent for until lifted; got " + untilMillis);
        }
        String why = reason == null ? "" : reason.strip();
        if (why.length() > UserRestrictions.MAX_REASON_CHARS) {
            throw ApiException.badRequest("reason has " + why.length() + " characters; at most "
                    + UserRestrictions.MAX_REASON_CHARS + " are allowed");
        }
        Restriction r = new Restriction(kind, untilMillis, why, now);
        restrictions.impose(uid, r);
        return r;
    }

    private void requireAccount(long uid) throws ApiException {
        if (accounts.findById(uid).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "no account with uid " + uid);
        }
    }
}
