-- Lifecycle: the winner a completed experiment names, idempotent creation
-- and an index for listing a client's experiments newest first.
ALTER TABLE experiments
  ADD COLUMN winner_variant_id BIGINT UNSIGNED NULL,
  ADD KEY ix_experiments_client_listing (client_id, created_at, public_id),
  ADD KEY ix_experiments_client_status_listing
    (client_id, status, created_at, public_id);

CREATE TABLE IF NOT EXISTS idempotency_keys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  idempotency_key VARCHAR(255) NOT NULL,
  request_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  response MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_idempotency_client_key (client_id, idempotency_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
