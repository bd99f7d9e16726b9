-- Groups, complete (issue 10): settings, profile, mutes, former members and join requests.
-- Every change of a group is also a SYSTEM message in the group's timeline (docs/PROTOCOL.md 9.16),
-- stored in the same transaction as the change below, under the im_group row lock.

-- avatar_url / announcement: the group's profile. invite_policy: 1 any member invites, 2 admins only.
-- join_policy: 1 with an admin's approval, 2 freely, 3 closed. max_members: the member cap, 0 = the
-- server's configured limit (logic.max-group-members). mute_all: only admins and the owner may send.
ALTER TABLE im_group
    ADD COLUMN avatar_url    VARCHAR(512)  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    ADD COLUMN announcement  VARCHAR(2048) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    ADD COLUMN invite_policy TINYINT NOT NULL DEFAULT 1,
    ADD COLUMN join_policy   TINYINT NOT NULL DEFAULT 1,
    ADD COLUMN max_members   INT     NOT NULL DEFAULT 0,
    ADD COLUMN mute_all      BOOLEAN NOT NULL DEFAULT FALSE;

-- mute_until: an admin muted the member until then (ms since the epoch; 0 = not muted). Not to be
-- confused with muted, the member's own "no notifications" setting.
ALTER TABLE group_member ADD COLUMN mute_until BIGINT NOT NULL DEFAULT 0;

-- group_former_member: who left or was kicked, and at which seq (the SYSTEM message that removed
-- them, the last one they see). PULL and SYNC of a former member stop there. A member who joins
-- again gets a group_member row with a new join seq and loses this row.
CREATE TABLE group_former_member (
    group_id BIGINT NOT NULL,
    uid      BIGINT NOT NULL,
    join_seq BIGINT NOT NULL,
    left_seq BIGINT NOT NULL,
    left_at  BIGINT NOT NULL,
    PRIMARY KEY (group_id, uid),
    KEY idx_group_former_member_uid (uid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- group_join_request: a request to join a group whose join_policy needs an admin's approval. Not a
-- timeline message; deleted when approved (the MEMBER_JOINED message) or rejected.
CREATE TABLE group_join_request (
    group_id   BIGINT       NOT NULL,
    uid        BIGINT       NOT NULL,
    message    VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    created_at BIGINT       NOT NULL,
    PRIMARY KEY (group_id, uid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- unread counts leave SYSTEM messages (msg_type 8, group changes) out: they are found by this key
CREATE INDEX idx_message_conversation_type_seq ON message (conversation_id, msg_type, seq);
