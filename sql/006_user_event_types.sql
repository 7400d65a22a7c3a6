-- One row per client, user and event type, with the times of the user's
-- first and last event of that type. Results without a time window count
-- a user as converted when the last event comes at or after the
-- assignment, so they read one row per user and type instead of every
-- event. The service keeps it up to date in the transaction that stores
-- the events; the INSERT below fills it from the events already stored,
-- and merges with rows already there if it runs again.
CREATE TABLE IF NOT EXISTS user_event_types (
  client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARCHAR(255) NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  first_at DATETIME(6) NOT NULL,
  last_at DATETIME(6) NOT NULL,
  PRIMARY KEY (client_id, user_id, event_type)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO user_event_types
  (client_id, user_id, event_type, first_at, last_at)
SELECT client_id, user_id, event_type, MIN(occurred_at), MAX(occurred_at)
FROM events
GROUP BY client_id, user_id, event_type
ON DUPLICATE KEY UPDATE
  first_at = LEAST(first_at, VALUES(first_at)),
  last_at = GREATEST(last_at, VALUES(last_at));
