/**
 * Argument checks shared by the statistics modules. Each throws a
 * `RangeError` naming the argument it rejects.
 *
 * @example
 * ```ts
 * import { requireConfidence } from "./preconditions.ts";
 *
 * requireConfidence(0.95);
 * ```
 *
 * @module
 */

/**
 * Rejects anything but a whole, finite number of at least zero.
 *
 * @param value The count to check.
 * @param name The argument's name, for the error message.
 *
 * @example
 * ```ts
 * import { requireCount } from "./preconditions.ts";
 *
 * requireCount(12, "trials");
 * ```
 */
export function requireCount(value: number, name: string): void {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  }
}

/**
 * Rejects a successes and trials pair that is not two counts with no more
 * successes than trials.
 *
 * @param successes The number of successes.
 * @param trials The number of trials.
 * @param arm The arm the counts belong to, for the error message.
 *
 * @example
 * ```ts
 * import { requireSuccessCounts } from "./preconditions.ts";
 *
 * requireSuccessCounts(3, 10, "control");
 * ```
 */
export function requireSuccessCounts(
  successes: number,
  trials: number,
  arm: string,
): void {
  requireCount(successes, `${arm} successes`);
  requireCount(trials, `${arm} trials`);

  if (successes > trials) {
    throw new RangeError(
      `${arm} successes (${successes}) exceed its trials (${trials})`,
    );
  }
}

/**
 * Rejects a confidence level outside the open interval `(0, 1)`.
 *
 * @param confidence The two-sided confidence level, like 0.95.
 *
 * @example
 * ```ts
 * import { requireConfidence } from "./preconditions.ts";
 *
 * requireConfidence(0.99);
 * ```
 */
export function requireConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must lie in (0, 1), got ${confidence}`);
  }
}

/**
 * Rejects a value that is not a finite number.
 *
 * @param value The value to check.
 * @param name The argument's name, for the error message.
 *
 * @example
 * ```ts
 * import { requireFinite } from "./preconditions.ts";
 *
 * requireFinite(4.2, "mean");
 * ```
 */
export function requireFinite(value: number, name: string): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${value}`);
  }
}
