import { assert, describe, it } from "@effect/vitest";
import {
  newcombeInterval,
  twoProportionZTest,
  wilsonInterval,
} from "../../../src/domain/statistics/proportions.ts";
import {
  assertClose,
  assertIntervalClose,
  assertProbabilityClose,
} from "./assert_close.ts";
import {
  NEWCOMBE_VECTORS,
  WILSON_VECTORS,
  Z_TEST_VECTORS,
} from "./reference/vectors.ts";

// Reference values: reference/vectors.ts, printed by
// reference/make_vectors.py with statsmodels 0.13.5 and scipy 1.10.1
// (Debian).

describe("wilsonInterval()", () => {
  it.each(WILSON_VECTORS)(
    "wilsonInterval($successes, $trials, $confidence) matches statsmodels",
    ({ successes, trials, confidence, expected }) => {
      assertIntervalClose(
        wilsonInterval(successes, trials, confidence),
        expected,
        `wilsonInterval(${successes}, ${trials}, ${confidence})`,
      );
    },
  );

  it("wilsonInterval() is null without trials", () => {
    assert.isNull(wilsonInterval(0, 0, 0.95));
  });

  it("wilsonInterval() keeps bounds inside [0, 1]", () => {
    for (const [successes, trials] of [
      [0, 1],
      [1, 1],
      [0, 100000],
      [100000, 100000],
    ]) {
      const interval = wilsonInterval(successes, trials, 0.999);

      assert.isNotNull(interval);
      assert.isAtLeast(interval[0], 0);
      assert.isAtMost(interval[1], 1);
    }
  });

  it("wilsonInterval() rejects invalid counts and confidence levels", () => {
    assert.throws(() => wilsonInterval(11, 10, 0.95), RangeError);
    assert.throws(() => wilsonInterval(-1, 10, 0.95), RangeError);
    assert.throws(() => wilsonInterval(2.5, 10, 0.95), RangeError);
    assert.throws(() => wilsonInterval(2, 10, 1), RangeError);
    assert.throws(() => wilsonInterval(2, 10, 0), RangeError);
  });
});

describe("twoProportionZTest()", () => {
  it.each(Z_TEST_VECTORS)(
    "twoProportionZTest($control, $treatment) matches statsmodels",
    ({ control, treatment, z, pValue }) => {
      const label = `twoProportionZTest(${control}, ${treatment})`;
      const result = twoProportionZTest(
        control[0],
        control[1],
        treatment[0],
        treatment[1],
      );

      assert.isNotNull(result, label);
      assertClose(result.z, z, `${label}.z`);
      assertProbabilityClose(result.pValue, pValue, `${label}.pValue`);
    },
  );

  it("twoProportionZTest() is null without trials or variance", () => {
    assert.isNull(twoProportionZTest(0, 0, 5, 10));
    assert.isNull(twoProportionZTest(5, 10, 0, 0));
    assert.isNull(twoProportionZTest(0, 10, 0, 20));
    assert.isNull(twoProportionZTest(10, 10, 20, 20));
  });

  it("twoProportionZTest() gives z = 0 and p = 1 for equal rates", () => {
    const result = twoProportionZTest(30, 300, 10, 100);

    assert.deepStrictEqual(result, { z: 0, pValue: 1 });
  });
});

describe("newcombeInterval()", () => {
  it.each(NEWCOMBE_VECTORS)(
    "newcombeInterval($control, $treatment, $confidence) matches statsmodels",
    ({ control, treatment, confidence, expected }) => {
      assertIntervalClose(
        newcombeInterval(
          control[0],
          control[1],
          treatment[0],
          treatment[1],
          confidence,
        ),
        expected,
        `newcombeInterval(${control}, ${treatment}, ${confidence})`,
      );
    },
  );

  it("newcombeInterval() reproduces Newcombe (1998), table II", () => {
    const interval = newcombeInterval(48, 80, 56, 70, 0.95);

    assert.isNotNull(interval);
    assert.closeTo(interval[0], 0.0524, 5e-5);
    assert.closeTo(interval[1], 0.3339, 5e-5);
  });

  it("newcombeInterval() is null when an arm has no trials", () => {
    assert.isNull(newcombeInterval(0, 0, 3, 10, 0.95));
    assert.isNull(newcombeInterval(3, 10, 0, 0, 0.95));
  });

  it("newcombeInterval() mirrors when the arms swap", () => {
    const forward = newcombeInterval(12, 90, 30, 110, 0.9);
    const backward = newcombeInterval(30, 110, 12, 90, 0.9);

    assert.isNotNull(forward);
    assert.isNotNull(backward);
    assert.closeTo(forward[0], -backward[1], 1e-15);
    assert.closeTo(forward[1], -backward[0], 1e-15);
  });
});
