-- Magpie storage model, version 2: fencing of the single writer of a conversation.
-- partition_fence: one row per (topic, partition) whose owner writes conversations (the upstream
-- topic: a conversation's partition owner is its only writer). epoch rises by one each time an
-- instance claims the partition (on assignment, before it writes). Every write transaction of a
-- partition's conversations first reads the row LOCK IN SHARE MODE and goes on only if epoch is still
-- the one its instance claimed: a stale owner (paused, resumed after a rebalance) is refused, and a
-- claim waits for a write in flight instead of racing it. owner / claimed_at are for operators.
CREATE TABLE partition_fence (
    topic      VARCHAR(249) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    part       INT          NOT NULL,
    epoch      BIGINT       NOT NULL,
    owner      VARCHAR(255) NOT NULL,
    claimed_at BIGINT       NOT NULL,
    PRIMARY KEY (topic, part)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
