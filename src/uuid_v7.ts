/**
 * Time-ordered UUIDs (RFC 9562, version 7): the public ids of every row.
 * Their time prefix keeps index inserts near the end of the B-tree.
 *
 * @module
 */
import { randomBytes } from "node:crypto";

/**
 * Makes a version 7 UUID.
 *
 * @param now The millisecond timestamp to embed; defaults to the clock.
 * @returns The UUID in its 36-character text form.
 *
 * @example
 * ```ts
 * uuidV7(); // "0193a5c2-7f3e-7a11-8d2b-4c5e6f708192"
 * ```
 */
export function uuidV7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);

  const hex = bytes.toString("hex");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join("-");
}
