package io.magpie.das;

/**
 * Adding members would take a group past its member limit; nothing was added. Not retryable: the
 * same request fails again until members leave or the limit is raised.
 */
public final class GroupFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long groupId;
    private final int memberCount;
    private final int adding;
    private final int limit;

    public GroupFullException(long groupId, int memberCount, int adding, int limit) {
        super("group " + groupId + " has " + memberCount + " members; adding " + adding + " would pass the limit of "
                + limit + " members; nobody was added");
        this.groupId = groupId;
        this.memberCount = memberCount;
        this.adding = adding;
        this.limit = limit;
    }

    public long groupId() {
        return groupId;
    }

    public int memberCount() {
        return memberCount;
    }

    public int adding() {
        return adding;
    }

    public int limit() {
        return limit;
    }
}
