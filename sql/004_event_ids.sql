-- Client-chosen event ids, so that a retried event is stored once, and an
-- index for listing a client's events newest first. A unique key allows
-- any number of NULLs, so events sent without an id are never merged.
ALTER TABLE events
  ADD COLUMN event_id VARCHAR(255)
    CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER client_id,
  ADD UNIQUE KEY uq_events_client_event_id (client_id, event_id),
  ADD KEY ix_events_client_time (client_id, occurred_at, public_id);
