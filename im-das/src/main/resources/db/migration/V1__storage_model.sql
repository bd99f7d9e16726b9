-- Magpie storage model, version 1 (ARCHITECTURE.md section 5).
-- MySQL 8.0+ and MariaDB 10.6+; InnoDB, utf8mb4. Identifiers (conversation ids, device ids,
-- client message ids) compare byte for byte (utf8mb4_bin); user names compare case-insensitively.
-- Every *_at / *_time column is milliseconds since the Unix epoch (UTC), written by the server.
-- MySQL is the truth: every Redis key (routes aside) is a cache rebuilt from these tables.
-- Sharding: the conversation id decides the shard of message and conversation rows; the DAS
-- hides shards from callers, so no table here holds a cross-shard foreign key.

-- account: one row per registered user. The uid comes from the segment allocator
-- (id_segment, biz tag 'uid'), never from AUTO_INCREMENT, so uids stay unique across shards.
-- password_hash is a self-describing slow salted hash (e.g. PBKDF2 "alg$iterations$salt$hash").
CREATE TABLE account (
    uid           BIGINT       NOT NULL,
    username      VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    nickname      VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    PRIMARY KEY (uid),
    UNIQUE KEY uk_account_username (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- device_token: where to send push notifications for a user's device while it is offline.
-- One row per (uid, device); a device that re-registers replaces its token.
-- platform is the protocol Platform name (ANDROID, IOS, DESKTOP, WEB); provider names the
-- notification adapter (apns, fcm, webhook, ...).
CREATE TABLE device_token (
    uid        BIGINT       NOT NULL,
    device_id  VARCHAR(64)  NOT NULL,
    platform   VARCHAR(16)  NOT NULL,
    provider   VARCHAR(32)  NOT NULL,
    token      VARCHAR(512) NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (uid, device_id),
    -- a provider reporting a dead token lets us find and drop it
    KEY idx_device_token_token (provider, token(191))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- message: one timeline per conversation (read diffusion): a message is stored once, whatever
-- the number of members. seq is the conversation's sort key (1, 2, 3... without holes, never
-- changes); version is conversation-scoped and moves on recall / delete / edit so clients pull
-- changes by version. (sender_uid, client_msg_id) makes a resent SEND idempotent.
-- content holds the protobuf MessageContent bytes. status: 0 normal, 1 recalled, 2 deleted.
CREATE TABLE message (
    msg_id            BIGINT      NOT NULL,
    conversation_id   VARCHAR(64) NOT NULL,
    conversation_type TINYINT     NOT NULL,
    seq               BIGINT      NOT NULL,
    version           BIGINT      NOT NULL,
    sender_uid        BIGINT      NOT NULL,
    sender_device_id  VARCHAR(64) NOT NULL DEFAULT '',
    client_msg_id     VARCHAR(64) NOT NULL,
    msg_type          SMALLINT    NOT NULL,
    content           MEDIUMBLOB  NOT NULL,
    status            TINYINT     NOT NULL DEFAULT 0,
    server_time       BIGINT      NOT NULL,
    PRIMARY KEY (msg_id),
    UNIQUE KEY uk_message_conversation_seq (conversation_id, seq),
    UNIQUE KEY uk_message_sender_client_msg (sender_uid, client_msg_id),
    KEY idx_message_conversation_version (conversation_id, version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- conversation: the conversation list of one user (write diffusion): one row per
-- (owner, conversation). version is user-scoped: SYNC returns the rows whose version is above
-- the client's. sort_key pins (higher first, 0 = not pinned). unread = last_seq - read_seq, so
-- it never drifts; cleared_seq hides history up to that seq (clear history).
-- For a large group the member's row keeps only its own state (read_seq, cleared_seq, muted);
-- last_seq / last_msg_id are then read from im_group (read diffusion).
CREATE TABLE conversation (
    owner_uid         BIGINT      NOT NULL,
    conversation_id   VARCHAR(64) NOT NULL,
    conversation_type TINYINT     NOT NULL,
    peer_id           BIGINT      NOT NULL COMMENT 'peer uid (single) or group id (group)',
    version           BIGINT      NOT NULL DEFAULT 0,
    sort_key          BIGINT      NOT NULL DEFAULT 0,
    last_seq          BIGINT      NOT NULL DEFAULT 0,
    last_msg_id       BIGINT      NOT NULL DEFAULT 0,
    read_seq          BIGINT      NOT NULL DEFAULT 0,
    cleared_seq       BIGINT      NOT NULL DEFAULT 0,
    muted             BOOLEAN     NOT NULL DEFAULT FALSE,
    deleted           BOOLEAN     NOT NULL DEFAULT FALSE,
    updated_at        BIGINT      NOT NULL,
    PRIMARY KEY (owner_uid, conversation_id),
    KEY idx_conversation_owner_version (owner_uid, version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- im_group: one row per group ("group" is a reserved word). last_seq / last_msg_id follow the
-- group conversation g_<group_id>; large = past the configured size members' conversation rows
-- are no longer written per message (read diffusion, see conversation). version moves on any
-- change of the group's profile or membership. dismissed groups keep their history.
CREATE TABLE im_group (
    group_id     BIGINT       NOT NULL,
    name         VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    owner_uid    BIGINT       NOT NULL,
    member_count INT          NOT NULL DEFAULT 0,
    last_seq     BIGINT       NOT NULL DEFAULT 0,
    last_msg_id  BIGINT       NOT NULL DEFAULT 0,
    version      BIGINT       NOT NULL DEFAULT 0,
    large        BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    dismissed    BOOLEAN      NOT NULL DEFAULT FALSE,
    PRIMARY KEY (group_id),
    KEY idx_im_group_owner (owner_uid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- group_member: who is in which group. join_seq: a member sees the group's messages from the
-- seq they joined at. role: 0 member, 1 admin, 2 owner. read_seq / cleared_seq / muted are the
-- member's own state (also what a large group's member keeps instead of a per-message row).
CREATE TABLE group_member (
    group_id    BIGINT  NOT NULL,
    uid         BIGINT  NOT NULL,
    role        TINYINT NOT NULL DEFAULT 0,
    join_seq    BIGINT  NOT NULL DEFAULT 0,
    read_seq    BIGINT  NOT NULL DEFAULT 0,
    cleared_seq BIGINT  NOT NULL DEFAULT 0,
    muted       BOOLEAN NOT NULL DEFAULT FALSE,
    joined_at   BIGINT  NOT NULL,
    PRIMARY KEY (group_id, uid),
    KEY idx_group_member_uid (uid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- id_segment: database-stepped id ranges (uids, group ids, ...). An allocator takes the range
-- (max_id - step, max_id] by "UPDATE ... SET max_id = max_id + step" in a transaction and hands
-- the ids out from memory; rows are created on first use of a biz tag.
CREATE TABLE id_segment (
    biz_tag    VARCHAR(64) NOT NULL,
    max_id     BIGINT      NOT NULL,
    step       INT         NOT NULL,
    updated_at BIGINT      NOT NULL,
    PRIMARY KEY (biz_tag)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
