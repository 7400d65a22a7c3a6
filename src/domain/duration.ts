/**
 * ISO 8601 durations of fixed length: weeks, days, hours, minutes and
 * seconds. Years and months are refused, since their length varies.
 *
 * @module
 */

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const DURATION = new RegExp(
  `^P(?:${NUMBER}W)?(?:${NUMBER}D)?` +
    `(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
  "i",
);

const UNIT_MS = [604_800_000, 86_400_000, 3_600_000, 60_000, 1_000];

/**
 * Reads a duration such as `P7D`, `PT36H` or `P1DT12H30M` as milliseconds.
 *
 * @param text The duration.
 * @returns Its length in milliseconds, or `undefined` when the text is not
 * a fixed-length ISO 8601 duration or is zero.
 *
 * @example
 * ```ts
 * parseDuration("P7D"); // 604800000
 * parseDuration("P1M"); // undefined: a month has no fixed length
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null || text.trim().toUpperCase().endsWith("T")) {
    return undefined;
  }

  const parts = match.slice(1);
  if (parts.every((part) => part === undefined)) return undefined;

  const total = parts.reduce(
    (sum, part, index) =>
      sum + (part === undefined ? 0 : Number(part) * (UNIT_MS[index] ?? 0)),
    0,
  );
  return total > 0 ? Math.round(total) : undefined;
}
