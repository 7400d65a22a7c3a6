import { assert, describe, it } from "@effect/vitest";
import { holmAdjust } from "../../../src/domain/statistics/mod.ts";
import { assertProbabilityClose } from "./assert_close.ts";
import { HOLM_VECTORS } from "./reference/vectors.ts";

// Reference values: reference/vectors.ts, printed by
// reference/make_vectors.py with statsmodels 0.13.5 (Debian).

describe("holmAdjust()", () => {
  it.each(HOLM_VECTORS)(
    "holmAdjust($pValues) matches statsmodels",
    ({ pValues, expected }) => {
      const adjusted = holmAdjust(pValues);

      assert.strictEqual(adjusted.length, expected.length);

      expected.forEach((value, index) => {
        const actual = adjusted[index];
        const label = `holmAdjust(${pValues})[${index}]`;

        if (value === null) {
          assert.isNull(actual, label);
        } else {
          assert.isNotNull(actual, label);
          assertProbabilityClose(actual, value, label);
        }
      });
    },
  );

  it("holmAdjust() keeps the order of the raw p-values", () => {
    const raw = [0.2, 0.001, null, 0.04, 0.03, 0.5, 0.01];
    const adjusted = holmAdjust(raw);
    const pairs = raw.flatMap((value, index) => {
      const result = adjusted[index];
      return value === null || result === null ? [] : [[value, result]];
    });

    for (const [rawLeft, adjustedLeft] of pairs) {
      for (const [rawRight, adjustedRight] of pairs) {
        if (rawLeft < rawRight) assert.isAtMost(adjustedLeft, adjustedRight);
      }
      assert.isAtLeast(adjustedLeft, rawLeft);
      assert.isAtMost(adjustedLeft, 1);
    }
  });

  it("holmAdjust() rejects p-values outside [0, 1]", () => {
    assert.throws(() => holmAdjust([0.2, 1.5]), RangeError);
    assert.throws(() => holmAdjust([-0.1]), RangeError);
    assert.throws(() => holmAdjust([Number.NaN]), RangeError);
  });
});
