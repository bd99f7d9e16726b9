-- media_object.deleted_at: set (epoch millis) in the transaction that recalls the message carrying the media
-- (by its sender or an operator). From then on the media is gone for clients: URL exchange and downloads,
-- signed before or not, answer 404; a purge job of the logic nodes deletes its blobs and then the row.
ALTER TABLE media_object
    ADD COLUMN deleted_at BIGINT NULL,
    ADD KEY idx_media_deleted (deleted_at);
