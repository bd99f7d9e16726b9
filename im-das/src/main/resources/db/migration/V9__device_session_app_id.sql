-- device_session.app_id: the app (business line) the device logged in for (docs/PROTOCOL.md §1.1), so a
-- refresh issues access tokens of the same app as the login did; gates that serve specific apps
-- (gate.app-ids) admit only tokens of one of them. NULL = the login named no app, and for every session
-- opened before this migration (their tokens carry no app either). A logic role older than this
-- migration writes its rows without the column, which leaves it NULL.
ALTER TABLE device_session ADD COLUMN app_id VARCHAR(64) NULL;
