import { assert, describe, it } from "@effect/vitest";
import { chanceToBeatControl } from "../../../src/domain/statistics/mod.ts";
import { assertProbabilityClose } from "./assert_close.ts";
import { CHANCE_TO_BEAT_CONTROL_VECTORS } from "./reference/vectors.ts";

// Reference values: reference/vectors.ts, printed by
// reference/make_vectors.py: an exact sum in mpmath 1.2.1 at 50 digits,
// checked there against scipy 1.10.1 integrate.quad (Debian packages).

describe("chanceToBeatControl()", () => {
  it.each(CHANCE_TO_BEAT_CONTROL_VECTORS)(
    "chanceToBeatControl($control, $treatment) matches mpmath and scipy",
    ({ control, treatment, expected }) => {
      const chance = chanceToBeatControl(
        control[0],
        control[1],
        treatment[0],
        treatment[1],
      );

      assert.isNotNull(chance);
      assertProbabilityClose(
        chance,
        expected,
        `chanceToBeatControl(${control}, ${treatment})`,
      );
    },
  );

  it("chanceToBeatControl() is null when an arm has no trials", () => {
    assert.isNull(chanceToBeatControl(0, 0, 1, 10));
    assert.isNull(chanceToBeatControl(1, 10, 0, 0));
  });

  it("chanceToBeatControl() of swapped arms adds up to 1", () => {
    const cases = [
      [3, 40, 7, 35],
      [900, 1000, 40, 50],
      [52000, 100000, 51500, 100000],
      [10, 100000, 0, 80000],
    ];

    for (const [controlSuccesses, controlTrials, successes, trials] of cases) {
      const forward = chanceToBeatControl(
        controlSuccesses,
        controlTrials,
        successes,
        trials,
      );
      const backward = chanceToBeatControl(
        successes,
        trials,
        controlSuccesses,
        controlTrials,
      );

      assert.isNotNull(forward);
      assert.isNotNull(backward);
      assert.closeTo(forward + backward, 1, 1e-9);
    }
  });

  it("chanceToBeatControl() answers for 100,000 users per arm", () => {
    const chance = chanceToBeatControl(50000, 100000, 50400, 100000);
    const mirrored = chanceToBeatControl(50400, 100000, 50000, 100000);

    assert.isNotNull(chance);
    assert.isNotNull(mirrored);
    assert.isAbove(chance ?? 0, 0.9);
    assert.isBelow(chance ?? 1, 1);
    assert.closeTo((chance ?? 0) + (mirrored ?? 0), 1, 1e-9);
  });
});
