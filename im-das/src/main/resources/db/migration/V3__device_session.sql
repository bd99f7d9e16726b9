-- device_session: the one current login of each (uid, device), the truth behind access-token
-- revocation. An access token names its session_id; it is accepted only while that id is the
-- device's current one (Redis caches it for the gates, see RedisActiveSessions). A new login of the
-- device replaces the row (new session_id), so older tokens stop working; logout, an operator kick
-- and a password change delete rows. The refresh token is stored as its SHA-256 only; the hash it
-- replaced at the last rotation is kept so a replay of a rotated token is recognised as theft.
CREATE TABLE device_session (
    uid                   BIGINT      NOT NULL,
    device_id             VARCHAR(64) NOT NULL,
    session_id            BIGINT      NOT NULL,
    platform              INT         NOT NULL,
    refresh_hash          BINARY(32)  NOT NULL,
    previous_refresh_hash BINARY(32)  NULL,
    refresh_expires_at    BIGINT      NOT NULL,
    created_at            BIGINT      NOT NULL,
    refreshed_at          BIGINT      NOT NULL,
    PRIMARY KEY (uid, device_id),
    UNIQUE KEY uk_device_session_id (session_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
