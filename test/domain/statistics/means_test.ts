import { assert, describe, it } from "@effect/vitest";
import {
  meanInterval,
  summarizeValues,
  welchTest,
} from "../../../src/domain/statistics/means.ts";
import {
  assertClose,
  assertIntervalClose,
  assertProbabilityClose,
} from "./assert_close.ts";
import {
  MEAN_INTERVAL_VECTORS,
  SUMMARIZE_VALUES_VECTORS,
  WELCH_VECTORS,
} from "./reference/vectors.ts";

// Reference values: reference/vectors.ts, printed by
// reference/make_vectors.py with numpy 1.24.2, scipy 1.10.1 and
// statsmodels 0.13.5 (Debian).

function arm(summary: ReadonlyArray<number>) {
  return { mean: summary[0], variance: summary[1], count: summary[2] };
}

describe("summarizeValues()", () => {
  it.each(SUMMARIZE_VALUES_VECTORS)(
    "summarizeValues() matches numpy for $label",
    ({ label, count, sum, sumOfSquares, mean, variance }) => {
      const summary = summarizeValues(count, sum, sumOfSquares);

      assertClose(summary.mean, mean, `${label} mean`);

      if (variance === null) {
        assert.isNull(summary.variance);
      } else {
        assert.isNotNull(summary.variance, `${label} variance`);
        assertClose(summary.variance, variance, `${label} variance`);
      }
    },
  );

  it("summarizeValues() has mean 0 and no variance without users", () => {
    assert.deepStrictEqual(summarizeValues(0, 0, 0), {
      mean: 0,
      variance: null,
    });
  });

  it("summarizeValues() clamps a variance that rounding makes negative", () => {
    const count = 3;
    const sum = 0.1 + 0.1 + 0.1;
    const sumOfSquares = 0.1 * 0.1 + 0.1 * 0.1 + 0.1 * 0.1;
    const unclamped = (sumOfSquares - sum * (sum / count)) / (count - 1);

    assert.isBelow(unclamped, 0);
    assert.strictEqual(summarizeValues(count, sum, sumOfSquares).variance, 0);
  });
});

describe("meanInterval()", () => {
  it.each(MEAN_INTERVAL_VECTORS)(
    "meanInterval($mean, $variance, $count, $confidence) matches scipy",
    ({ mean, variance, count, confidence, expected }) => {
      assertIntervalClose(
        meanInterval(mean, variance, count, confidence),
        expected,
        `meanInterval(${mean}, ${variance}, ${count}, ${confidence})`,
      );
    },
  );

  it("meanInterval() is null below two users or without variance", () => {
    assert.isNull(meanInterval(3, 1, 1, 0.95));
    assert.isNull(meanInterval(3, 1, 0, 0.95));
    assert.isNull(meanInterval(3, null, 10, 0.95));
  });

  it("meanInterval() has zero width for zero variance", () => {
    assert.deepStrictEqual(meanInterval(4.5, 0, 12, 0.95), [4.5, 4.5]);
  });
});

describe("welchTest()", () => {
  it.each(WELCH_VECTORS)(
    "welchTest($control, $treatment, $confidence) matches statsmodels",
    (vector) => {
      const label = `welchTest(${vector.control}, ${vector.treatment})`;
      const result = welchTest(
        arm(vector.control),
        arm(vector.treatment),
        vector.confidence,
      );

      assert.isNotNull(result, label);
      assertClose(result.t, vector.t, `${label}.t`);
      assertClose(
        result.degreesOfFreedom,
        vector.degreesOfFreedom,
        `${label}.degreesOfFreedom`,
      );
      assertProbabilityClose(result.pValue, vector.pValue, `${label}.pValue`);
      assertIntervalClose(
        result.differenceInterval,
        vector.expected,
        `${label}.differenceInterval`,
      );
    },
  );

  it("welchTest() is null below two users per arm", () => {
    const enough = { mean: 2, variance: 1, count: 10 };
    const single = { mean: 2, variance: null, count: 1 };

    assert.isNull(welchTest(single, enough, 0.95));
    assert.isNull(welchTest(enough, single, 0.95));
  });

  it("welchTest() is null when both variances are 0", () => {
    const control = { mean: 2, variance: 0, count: 10 };
    const treatment = { mean: 3, variance: 0, count: 10 };

    assert.isNull(welchTest(control, treatment, 0.95));
  });

  it("welchTest() gives t = 0 and p = 1 for equal means", () => {
    const control = { mean: 7, variance: 4, count: 30 };
    const treatment = { mean: 7, variance: 9, count: 25 };
    const result = welchTest(control, treatment, 0.95);

    assert.isNotNull(result);
    assert.strictEqual(result.t, 0);
    assert.strictEqual(result.pValue, 1);
  });

  it("welchTest() rejects a negative variance", () => {
    const control = { mean: 2, variance: -1, count: 10 };
    const treatment = { mean: 3, variance: 1, count: 10 };

    assert.throws(() => welchTest(control, treatment, 0.95), RangeError);
  });
});
