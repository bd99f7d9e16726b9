-- conversation.mention_seq: the newest seq of the conversation whose message mentions the owner (MessageContent
-- mentioned_uids or mention_all, docs/PROTOCOL.md section 9.18), 0 = never. SYNC's "@me" mark is
-- mention_seq > GREATEST(read_seq, cleared_seq): a READ past it clears the mark without writing this column.
ALTER TABLE conversation ADD COLUMN mention_seq BIGINT NOT NULL DEFAULT 0;
