-- message_reply: which messages quote which (MessageContent.reply_to, docs/PROTOCOL.md section 9.17), one row per
-- reply, written with the reply. A RECALL of the quoted message finds its replies here and marks their stored
-- reference recalled (its preview text goes), with a new version each, so every device updates them by version.
-- A SEND without reply_to writes nothing here.
CREATE TABLE message_reply (
    conversation_id VARCHAR(64) NOT NULL,
    quoted_seq      BIGINT      NOT NULL,
    reply_msg_id    BIGINT      NOT NULL,
    PRIMARY KEY (conversation_id, quoted_seq, reply_msg_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
