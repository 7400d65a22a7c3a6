/**
 * Statistics for experiment results: pure functions that turn per-variant
 * counts and aggregates into intervals, tests and probabilities.
 *
 * Nothing here performs I/O. Every function takes plain numbers and
 * returns plain data, and none returns `NaN` or an infinity: where a
 * statistic is undefined, such as a rate with no users or a test without
 * variance, the result is `null`. Arguments outside a function's domain,
 * such as more successes than trials, throw a `RangeError`.
 *
 * @example
 * ```ts
 * import {
 *   chanceToBeatControl,
 *   newcombeInterval,
 *   twoProportionZTest,
 * } from "./mod.ts";
 *
 * console.log(twoProportionZTest(100, 1000, 130, 1000));
 * console.log(newcombeInterval(100, 1000, 130, 1000, 0.95));
 * console.log(chanceToBeatControl(100, 1000, 130, 1000));
 * ```
 *
 * @module
 */
export * from "./chance_to_beat_control.ts";
export * from "./distributions.ts";
export * from "./means.ts";
export * from "./multiple_comparisons.ts";
export * from "./proportions.ts";
export * from "./sample_ratio.ts";
