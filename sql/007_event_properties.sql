-- A copy of each stored event's properties, one row per event that has
-- any, keyed by client, event type and user. A value metric such as
-- purchase:amount reads the rows of one event type, which lie together,
-- instead of the JSON of events spread over the whole events table. The
-- service writes these rows in the transaction that stores the events;
-- the INSERT below fills the table from the events already stored, and
-- skips rows that are there if it runs again.
CREATE TABLE IF NOT EXISTS event_properties (
  client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  user_id VARCHAR(255) NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  event_public_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  properties JSON NOT NULL,
  PRIMARY KEY (client_id, event_type, user_id, occurred_at, event_public_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT IGNORE INTO event_properties
  (client_id, event_type, user_id, occurred_at, event_public_id, properties)
SELECT client_id, event_type, user_id, occurred_at, public_id, properties
FROM events
WHERE JSON_LENGTH(properties) > 0;
