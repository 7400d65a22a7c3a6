-- One row per stored event and top-level property that a value metric can
-- name (letters, digits, "_", "." or "-", at most 64), with the value as a
-- number, or NULL when it is not one. A value metric such as
-- purchase:amount then reads this narrow table by its primary key, with
-- the window on occurred_at, instead of each event's JSON. The key starts
-- with the event type and the property, so one metric's rows lie together
-- and its look-ups stay in few pages. The service writes these rows in
-- the transaction that stores the events; the INSERT below fills the table
-- from the events already stored, and skips rows that are there if it
-- runs again.
CREATE TABLE IF NOT EXISTS event_values (
  client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARCHAR(255) NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  property VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  event_public_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number DOUBLE NULL,
  PRIMARY KEY
    (client_id, event_type, property, user_id, occurred_at, event_public_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT IGNORE INTO event_values
  (client_id, user_id, event_type, property, occurred_at, event_public_id,
   number)
SELECT e.client_id, e.user_id, e.event_type, k.property, e.occurred_at,
       e.public_id,
       CASE
         WHEN JSON_TYPE(JSON_EXTRACT(e.properties,
                CONCAT('$."', k.property, '"')))
              IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')
         THEN CAST(JSON_EXTRACT(e.properties,
                CONCAT('$."', k.property, '"')) AS DOUBLE)
       END
FROM events e
CROSS JOIN JSON_TABLE(
  JSON_KEYS(e.properties), '$[*]'
  COLUMNS (property VARCHAR(1024) PATH '$')
) k
WHERE k.property REGEXP '^[A-Za-z0-9_.-]{1,64}$';
