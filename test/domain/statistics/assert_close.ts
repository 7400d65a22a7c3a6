/**
 * Assertions shared by the statistics tests for comparing results with
 * the reference vectors.
 *
 * @module
 */
import { assert } from "@effect/vitest";

/** The agreement required with the reference packages. */
export const TOLERANCE = 1e-6;

const SMALL_PROBABILITY = 1e-3;

/**
 * Asserts a finite number within {@linkcode TOLERANCE} of the expected
 * one: absolutely up to magnitude 1, relatively beyond it, since a double
 * near a million carries only about ten decimals after the point.
 *
 * @param actual The computed value.
 * @param expected The reference value.
 * @param message What is compared, for the failure message.
 */
export function assertClose(
  actual: number,
  expected: number,
  message: string,
): void {
  const tolerance = TOLERANCE * Math.max(1, Math.abs(expected));

  assert.isTrue(Number.isFinite(actual), `${message}: ${actual} not finite`);
  assert.closeTo(actual, expected, tolerance, message);
}

/**
 * Asserts a probability within {@linkcode TOLERANCE} of the expected one,
 * absolutely and, below 1e-3, relatively as well.
 *
 * @param actual The computed probability.
 * @param expected The reference probability.
 * @param message What is compared, for the failure message.
 */
export function assertProbabilityClose(
  actual: number,
  expected: number,
  message: string,
): void {
  assertClose(actual, expected, message);

  if (expected > 0 && expected < SMALL_PROBABILITY) {
    assert.closeTo(actual / expected, 1, TOLERANCE, `${message} (relative)`);
  }
}

/**
 * Asserts an interval whose bounds are each within {@linkcode TOLERANCE}.
 *
 * @param actual The computed interval, which must not be `null`.
 * @param expected The reference bounds.
 * @param message What is compared, for the failure message.
 */
export function assertIntervalClose(
  actual: readonly [number, number] | null,
  expected: ReadonlyArray<number>,
  message: string,
): void {
  assert.isNotNull(actual, message);

  assertClose(actual[0], expected[0], `${message}, lower bound`);
  assertClose(actual[1], expected[1], `${message}, upper bound`);
  assert.isAtMost(actual[0], actual[1], `${message}, bounds in order`);
}
