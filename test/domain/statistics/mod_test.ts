import { assert, describe, it } from "@effect/vitest";
import * as statistics from "../../../src/domain/statistics/mod.ts";

const EDGE_COUNTS = [
  [0, 0],
  [0, 1],
  [1, 1],
  [0, 10],
  [10, 10],
  [5, 10],
  [0, 100000],
  [100000, 100000],
  [50000, 100000],
];

const CONFIDENCES = [0.5, 0.9, 0.95, 0.99, 0.999999];

function assertFiniteData(value: unknown, label: string): void {
  if (typeof value === "number") {
    assert.isTrue(Number.isFinite(value), `${label} is ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      assertFiniteData(item, `${label}[${index}]`);
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      assertFiniteData(item, `${label}.${key}`);
    }
  }
}

describe("statistics mod.ts", () => {
  it("mod.ts exports every function the server calls", () => {
    const names = [
      "wilsonInterval",
      "twoProportionZTest",
      "newcombeInterval",
      "chanceToBeatControl",
      "holmAdjust",
      "sampleRatioTest",
      "summarizeValues",
      "meanInterval",
      "welchTest",
      "normalQuantile",
      "normalCdf",
      "chiSquareSurvival",
      "studentTSurvival",
    ];

    for (const name of names) {
      assert.strictEqual(typeof Reflect.get(statistics, name), "function");
    }
  });

  it("proportion statistics never return NaN or an infinity", () => {
    for (const [controlSuccesses, controlTrials] of EDGE_COUNTS) {
      for (const [successes, trials] of EDGE_COUNTS) {
        const counts = [
          controlSuccesses,
          controlTrials,
          successes,
          trials,
        ] as const;
        const label = `(${counts})`;

        assertFiniteData(
          statistics.twoProportionZTest(...counts),
          `twoProportionZTest${label}`,
        );
        assertFiniteData(
          statistics.chanceToBeatControl(...counts),
          `chanceToBeatControl${label}`,
        );

        for (const confidence of CONFIDENCES) {
          assertFiniteData(
            statistics.wilsonInterval(successes, trials, confidence),
            `wilsonInterval(${successes}, ${trials}, ${confidence})`,
          );
          assertFiniteData(
            statistics.newcombeInterval(
              controlSuccesses,
              controlTrials,
              successes,
              trials,
              confidence,
            ),
            `newcombeInterval${label}`,
          );
        }
      }
    }
  });

  it("mean statistics never return NaN or an infinity", () => {
    const arms = [
      { mean: 0, variance: null, count: 0 },
      { mean: 3, variance: null, count: 1 },
      { mean: 0, variance: 0, count: 2 },
      { mean: 5, variance: 0, count: 1000 },
      { mean: 5, variance: 1e-300, count: 2 },
      { mean: -2, variance: 4, count: 3 },
      { mean: 1e6, variance: 1e12, count: 100000 },
    ];

    for (const control of arms) {
      for (const treatment of arms) {
        for (const confidence of CONFIDENCES) {
          const label = `(${JSON.stringify([control, treatment])})`;

          assertFiniteData(
            statistics.welchTest(control, treatment, confidence),
            `welchTest${label}`,
          );
          assertFiniteData(
            statistics.meanInterval(
              treatment.mean,
              treatment.variance,
              treatment.count,
              confidence,
            ),
            `meanInterval${label}`,
          );
        }
      }
    }

    for (const [count, sum, sumOfSquares] of [
      [0, 0, 0],
      [1, 0, 0],
      [1, 7, 49],
      [2, 0, 0],
      [3, 0.30000000000000004, 0.030000000000000006],
    ]) {
      assertFiniteData(
        statistics.summarizeValues(count, sum, sumOfSquares),
        `summarizeValues(${count}, ${sum}, ${sumOfSquares})`,
      );
    }
  });

  it("tests of counts never return NaN or an infinity", () => {
    const observations = [
      [0, 1],
      [1, 0],
      [100000, 0],
      [0, 0, 5],
      [3, 3, 4],
    ];

    for (const observed of observations) {
      const allocations = observed.map(() => 100 / observed.length);

      assertFiniteData(
        statistics.sampleRatioTest(observed, allocations),
        `sampleRatioTest(${observed})`,
      );
    }

    assertFiniteData(
      statistics.holmAdjust([0, 1, null, 1e-300, 0.5]),
      "holmAdjust",
    );
  });
});
