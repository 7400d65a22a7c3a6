/**
 * Assertions shared by the tests of the results and report domain, which
 * compare with reference values to 1e-9.
 *
 * @module
 */
import { assert } from "@effect/vitest";

/** The agreement required with the reference values. */
export const TOLERANCE = 1e-9;

/**
 * Asserts a number that must not be `null`, within `tolerance` of the
 * expected one.
 *
 * @param actual The computed value.
 * @param expected The reference value.
 * @param message What is compared, for the failure message.
 * @param tolerance The largest difference allowed.
 */
export function assertNear(
  actual: number | null,
  expected: number,
  message: string,
  tolerance = TOLERANCE,
): void {
  assert.isNotNull(actual, message);
  assert.closeTo(actual, expected, tolerance, message);
}

/**
 * Asserts an interval that must not be `null`, each bound within
 * `tolerance` of the expected one.
 *
 * @param actual The computed interval.
 * @param expected The reference bounds.
 * @param message What is compared, for the failure message.
 * @param tolerance The largest difference allowed.
 */
export function assertInterval(
  actual: readonly [number, number] | null,
  expected: readonly [number, number],
  message: string,
  tolerance = TOLERANCE,
): void {
  assert.isNotNull(actual, message);
  assert.closeTo(actual[0], expected[0], tolerance, `${message}, low`);
  assert.closeTo(actual[1], expected[1], tolerance, `${message}, high`);
}

/**
 * The numbers that JSON cannot carry (NaN and infinities) in a value,
 * each with the key it stands under.
 *
 * @param value Any value that JSON can encode.
 * @returns One `key: number` entry per such number; empty when none.
 */
export function nonFinite(value: unknown): ReadonlyArray<string> {
  const found: Array<string> = [];
  JSON.stringify(value, (key, item) => {
    if (typeof item === "number" && !Number.isFinite(item)) {
      found.push(`${key}: ${item}`);
    }
    return item;
  });
  return found;
}
