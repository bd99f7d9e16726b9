-- Read state (issue 9): the peer's read position of a one-to-one conversation as seen by the owner
-- (read receipts, 0 while either side hides them), and each user's read-receipt privacy setting.
ALTER TABLE conversation ADD COLUMN peer_read_seq BIGINT NOT NULL DEFAULT 0 AFTER read_seq;

ALTER TABLE account ADD COLUMN read_receipts BOOLEAN NOT NULL DEFAULT TRUE;
