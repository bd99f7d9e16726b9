-- Reactions and edits (docs/PROTOCOL.md sections 9.19, 9.20).
-- message.reactions: the message's reactions aggregated per emoji (protobuf ReactionCounts bytes), NULL = none;
-- rewritten with a new message version on every REACT, so PULL and SYNC serve them without another query.
-- message.edited_at: when the sender last edited the content (ms since the epoch), 0 = never.
ALTER TABLE message ADD COLUMN reactions BLOB NULL, ADD COLUMN edited_at BIGINT NOT NULL DEFAULT 0;

-- message_reaction: one reaction per user per message (a new one replaces it), the truth the aggregate is
-- computed from. emoji compares byte for byte.
CREATE TABLE message_reaction (
    conversation_id VARCHAR(64) NOT NULL,
    seq             BIGINT      NOT NULL,
    uid             BIGINT      NOT NULL,
    emoji           VARCHAR(32) NOT NULL,
    reacted_at      BIGINT      NOT NULL,
    PRIMARY KEY (conversation_id, seq, uid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- message_edit: the edit history, one row per EDIT holding the content it replaced (protobuf MessageContent) and
-- the version that content had; the current content stays in message.
CREATE TABLE message_edit (
    msg_id           BIGINT     NOT NULL,
    replaced_version BIGINT     NOT NULL,
    previous_content MEDIUMBLOB NOT NULL,
    edited_at        BIGINT     NOT NULL,
    PRIMARY KEY (msg_id, replaced_version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
