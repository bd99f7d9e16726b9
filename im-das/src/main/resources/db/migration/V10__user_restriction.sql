-- user_restriction: what an operator imposed on a user through the admin API (docs/operations.md,
-- "Admin API"). kind 1 = BAN (no login, no refresh, sessions ended), kind 2 = MUTE (every SEND refused
-- with ERROR MUTED). One row per (uid, kind); lifting the restriction deletes the row, and a row whose
-- until_at has passed is no longer in force (it is left for the next change to overwrite).
CREATE TABLE user_restriction (
    uid        BIGINT       NOT NULL,
    kind       TINYINT      NOT NULL,
    -- ms since the epoch when the restriction ends by itself; 0 = until an operator lifts it
    until_at   BIGINT       NOT NULL DEFAULT 0,
    reason     VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    created_at BIGINT       NOT NULL,
    PRIMARY KEY (uid, kind)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
