import { assert, describe, it } from "@effect/vitest";
import {
  SAMPLE_RATIO_MISMATCH_THRESHOLD,
  sampleRatioTest,
} from "../../../src/domain/statistics/sample_ratio.ts";
import { assertClose, assertProbabilityClose } from "./assert_close.ts";
import { SAMPLE_RATIO_VECTORS } from "./reference/vectors.ts";

// Reference values: reference/vectors.ts, printed by
// reference/make_vectors.py with scipy 1.10.1 (Debian).

describe("sampleRatioTest()", () => {
  it.each(SAMPLE_RATIO_VECTORS)(
    "sampleRatioTest($observed, $allocations) matches scipy",
    ({ observed, allocations, chiSquare, pValue }) => {
      const label = `sampleRatioTest(${observed}, ${allocations})`;
      const result = sampleRatioTest(observed, allocations);

      assert.isNotNull(result, label);
      assertClose(result.chiSquare, chiSquare, `${label}.chiSquare`);
      assertProbabilityClose(result.pValue, pValue, `${label}.pValue`);
      assert.strictEqual(
        result.mismatch,
        pValue < SAMPLE_RATIO_MISMATCH_THRESHOLD,
        `${label}.mismatch`,
      );
    },
  );

  it("sampleRatioTest() flags 10,000 against 10,500 as a mismatch", () => {
    const result = sampleRatioTest([10000, 10500], [50, 50]);

    assert.isNotNull(result);
    assert.isTrue(result.mismatch);
  });

  it("sampleRatioTest() accepts an uneven split that fits", () => {
    const result = sampleRatioTest([2000, 8000], [20, 80]);

    assert.isNotNull(result);
    assert.isFalse(result.mismatch);
    assert.strictEqual(result.chiSquare, 0);
  });

  it("sampleRatioTest() is null when no users were observed", () => {
    assert.isNull(sampleRatioTest([0, 0, 0], [20, 30, 50]));
  });

  it("sampleRatioTest() rejects mismatched or invalid inputs", () => {
    assert.throws(() => sampleRatioTest([10, 20], [50, 30, 20]), RangeError);
    assert.throws(() => sampleRatioTest([10], [100]), RangeError);
    assert.throws(() => sampleRatioTest([10, 20], [100, 0]), RangeError);
    assert.throws(() => sampleRatioTest([10, -2], [50, 50]), RangeError);
  });
});
