-- media_object: one row per upload to POST /v1/media (docs/PROTOCOL.md §1.3). The bytes live in the
-- media blob store (media.store: local directory or S3 bucket) under blob_key, the image thumbnail (if
-- any) under thumb_key; this row says which conversation the upload is for, so only that
-- conversation's members can exchange its stable URL for a signed one.
CREATE TABLE media_object (
    media_id        VARCHAR(32)  NOT NULL,
    uploader_uid    BIGINT       NOT NULL,
    conversation_id VARCHAR(64)  NOT NULL,
    mime_type       VARCHAR(127) NOT NULL,
    size_bytes      BIGINT       NOT NULL,
    width           INT          NOT NULL DEFAULT 0,
    height          INT          NOT NULL DEFAULT 0,
    file_name       VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    blob_key        VARCHAR(255) NOT NULL,
    thumb_key       VARCHAR(255) NULL,
    created_at      BIGINT       NOT NULL,
    PRIMARY KEY (media_id),
    KEY idx_media_conversation (conversation_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
