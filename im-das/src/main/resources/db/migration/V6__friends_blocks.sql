-- People: friendships, friend requests, the blocklist, and who may start a one-to-one conversation.

-- friend: one row per direction of a friendship (both rows are written together, so "my friends"
-- is one index range). version is owner-scoped (snowflake) and moves on add and remove: a device
-- syncs its friend list by version; a removed friend keeps its row with deleted = TRUE so the
-- removal syncs too.
CREATE TABLE friend (
    owner_uid  BIGINT       NOT NULL,
    friend_uid BIGINT       NOT NULL,
    remark     VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    version    BIGINT       NOT NULL,
    deleted    BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (owner_uid, friend_uid),
    KEY idx_friend_owner_version (owner_uid, version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- user_block: owner_uid blocked blocked_uid. The send path asks "did the recipient block the
-- sender?", hence the primary key order (owner = the recipient).
CREATE TABLE user_block (
    owner_uid   BIGINT NOT NULL,
    blocked_uid BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (owner_uid, blocked_uid),
    KEY idx_user_block_blocked (blocked_uid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- who may start a one-to-one conversation with this user: 0 anyone (default), 1 friends only
ALTER TABLE account ADD COLUMN dm_policy TINYINT NOT NULL DEFAULT 0;

-- friend_request: one row per request (request_id: snowflake). state 0 PENDING, 1 ACCEPTED, 2 REJECTED,
-- 3 CANCELLED. While PENDING, (pair_low, pair_high) is the pair's two uids in ascending order, NULL
-- afterwards: the unique key allows at most one pending request per pair, in either direction.
-- message is at most 200 characters (MariaDB counts utf8mb4 characters = code points).
CREATE TABLE friend_request (
    request_id BIGINT       NOT NULL,
    from_uid   BIGINT       NOT NULL,
    to_uid     BIGINT       NOT NULL,
    message    VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    state      TINYINT      NOT NULL DEFAULT 0,
    pair_low   BIGINT       NULL,
    pair_high  BIGINT       NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (request_id),
    UNIQUE KEY uk_friend_request_pending (pair_low, pair_high),
    KEY idx_friend_request_to (to_uid, state),
    KEY idx_friend_request_from (from_uid, state)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
