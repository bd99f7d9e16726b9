package io.magpie.logic.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks of what clients send to the group API; each failure says what is allowed. Stateless.
 */
public final class GroupInput {

    public static final int NAME_MAX = 64;

    private GroupInput() {
    }

    /** The name to store: stripped, 1-{@value #NAME_MAX} characters, no control characters. */
    public static String name(String name) throws ApiException {
        String stripped = name == null ? "" : name.strip();
        if (stripped.isEmpty() || stripped.codePointCount(0, stripped.length()) > NAME_MAX
                || stripped.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("name must be 1-" + NAME_MAX + " characters without control characters, got "
                    + (name == null ? "none" : stripped.codePointCount(0, stripped.length()) + " characters"));
        }
        return stripped;
    }

    /**
     * The distinct uids of a member list, in the order given, plus {@code always} (the caller) first
     * when given; at most {@code maxMembers}.
     *
     * @param field  the JSON field, for messages
     * @param always a uid to include, or 0 for none
     */
    public static Set<Long> uids(String field, Collection<Long> uids, long always, int maxMembers) throws ApiException {
        if (uids == null) {
            throw ApiException.badRequest(field + " is required: a list of uids");
        }
        Set<Long> distinct = new LinkedHashSet<>();
        if (always > 0) {
            distinct.add(always);
        }
        for (Long uid : uids) {
            if (uid == null || uid <= 0) {
                throw ApiException.badRequest(field + " must hold positive uids, got " + uid);
            }
            distinct.add(uid);
            if (distinct.size() > maxMembers) {
                throw tooMany(maxMembers, field);
            }
        }
        return distinct;
    }

    static ApiException tooMany(int maxMembers, String what) {
        return ApiException.badRequest("a group has at most " + maxMembers + " members (logic.max-group-members); "
                + what + " would pass that limit");
    }

    /** "uids 5, 7 are not registered users", listing at most ten. */
    static String missing(Collection<Long> missing) {
        List<Long> sorted = new ArrayList<>(missing);
        sorted.sort(null);
        String listed = sorted.stream().limit(10).map(String::valueOf).collect(Collectors.joining(", "));
        return (sorted.size() == 1 ? "uid " : "uids ") + listed + (sorted.size() > 10 ? " and " + (sorted.size() - 10)
                + " more" : "") + (sorted.size() == 1 ? " is not a registered user" : " are not registered users");
    }
}
