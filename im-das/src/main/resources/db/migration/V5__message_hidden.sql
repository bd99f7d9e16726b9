-- DELETE "for me": messages one user hid from their own view (every device of theirs; others unaffected).
CREATE TABLE message_hidden (
    owner_uid       BIGINT      NOT NULL,
    conversation_id VARCHAR(64) NOT NULL,
    seq             BIGINT      NOT NULL,
    version         BIGINT      NOT NULL COMMENT 'the owner''s row version when it was hidden',
    PRIMARY KEY (owner_uid, conversation_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- unread counts discount recalled messages above a read position: find them without reading every row
CREATE INDEX idx_message_conversation_status ON message (conversation_id, status, seq);
