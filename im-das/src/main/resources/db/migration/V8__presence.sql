-- Presence (docs/PROTOCOL.md §9.14): what a user shows besides being online. Online state itself is
-- not stored here: it is the user's routes in Redis, which the gates re-register after a Redis loss.

-- presence_setting: one row per user who set a status or hid presence, or who went offline at least
-- once (last_seen_at). No row = no status text, visible, last seen unknown.
CREATE TABLE presence_setting (
    uid          BIGINT       NOT NULL,
    status_text  VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    hidden       BOOLEAN      NOT NULL DEFAULT FALSE,
    last_seen_at BIGINT       NOT NULL DEFAULT 0,
    updated_at   BIGINT       NOT NULL,
    PRIMARY KEY (uid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
