import { assert, describe, it } from "@effect/vitest";
import {
  adjustForMultipleComparisons,
  CONTROL,
  type Comparison,
  compareConversions,
  compareValues,
  conversionRate,
  valueMean,
} from "../../src/domain/analysis.ts";
import { assertInterval, assertNear, nonFinite } from "./assert_near.ts";

// Reference values: test/domain/statistics/reference/report_vectors.py,
// run with Debian's /usr/bin/python3, scipy 1.10.1 and statsmodels 0.13.5.

const TOO_LITTLE_CONVERSIONS = "Too little data: a variant has no users yet";
const NO_VARIANCE =
  "No variance: every user converted, or none did, in both variants";
const ZERO_BASELINE =
  "The control converted nobody, so the relative lift is undefined";
const TOO_LITTLE_VALUES =
  "Too little data: a variant needs two users and some variance";

describe("conversionRate()", () => {
  // statsmodels 0.13.5:
  // proportion_confint(converted, users, alpha=1 - confidence,
  //                    method="wilson")
  const vectors = [
    {
      users: 1000,
      converted: 100,
      confidence: 0.95,
      interval: [0.08290944359309571, 0.1201519631953484],
    },
    {
      users: 50,
      converted: 8,
      confidence: 0.9,
      interval: [0.0925780967876026, 0.2623284695470611],
    },
    {
      users: 2400,
      converted: 96,
      confidence: 0.99,
      interval: [0.030901217601252466, 0.05163514754560076],
    },
    {
      users: 200,
      converted: 0,
      confidence: 0.95,
      interval: [1.734723475976807e-18, 0.018845326377266575],
    },
    {
      users: 40,
      converted: 40,
      confidence: 0.95,
      interval: [0.9123783988027135, 1.0000000000000002],
    },
  ] as const;

  it("conversionRate() gives the rate with its Wilson interval", () => {
    for (const { users, converted, confidence, interval } of vectors) {
      const result = conversionRate({ users, converted }, confidence);
      const label = `${converted}/${users} at ${confidence}`;

      assert.strictEqual(result.rate, converted / users, label);
      assertInterval(result.interval, interval, label);
    }
  });

  it("conversionRate() keeps the interval within [0, 1]", () => {
    const none = conversionRate({ users: 200, converted: 0 }, 0.95);
    const all = conversionRate({ users: 40, converted: 40 }, 0.95);

    assert.strictEqual(none.interval?.[0], 0);
    assert.strictEqual(all.interval?.[1], 1);
  });

  it("conversionRate() gives a zero rate and no interval without users", () => {
    assert.deepStrictEqual(conversionRate({ users: 0, converted: 0 }, 0.95), {
      rate: 0,
      interval: null,
    });
  });
});

describe("compareConversions()", () => {
  // statsmodels 0.13.5, with (users, converted) per arm:
  // pValue: proportions_ztest([t_conv, c_conv], [t_users, c_users])
  // liftInterval: confint_proportions_2indep(t_conv, t_users, c_conv,
  //   c_users, method="newcomb", compare="diff", alpha=1 - confidence)
  // chanceToBeatControl (scipy 1.10.1): integrate.quad of
  //   beta(1 + t_conv, 1 + t_users - t_conv).pdf(x)
  //   * beta(1 + c_conv, 1 + c_users - c_conv).cdf(x)
  const vectors = [
    {
      control: { users: 1000, converted: 100 },
      treatment: { users: 1000, converted: 130 },
      confidence: 0.95,
      absoluteLift: 0.03,
      relativeLift: 0.3,
      liftInterval: [0.0020023487152830075, 0.05807048502220285],
      pValue: 0.03548845046647471,
      chanceToBeatControl: 0.9821650661163492,
    },
    {
      control: { users: 480, converted: 60 },
      treatment: { users: 520, converted: 52 },
      confidence: 0.9,
      absoluteLift: -0.024999999999999994,
      relativeLift: -0.19999999999999996,
      liftInterval: [-0.058331185456994686, 0.007888002421438597],
      pValue: 0.21042021200236716,
      chanceToBeatControl: 0.10559194557374564,
    },
    {
      control: { users: 2500, converted: 75 },
      treatment: { users: 2400, converted: 96 },
      confidence: 0.99,
      absoluteLift: 0.010000000000000002,
      relativeLift: 0.3333333333333334,
      liftInterval: [-0.0036001496525935126, 0.023908368179018993],
      pValue: 0.05655456272448296,
      chanceToBeatControl: 0.9715325352423222,
    },
  ] as const;

  it("compareConversions() gives lifts, Newcombe CI, z-test p, P(beat)", () => {
    for (const vector of vectors) {
      const { control, treatment, confidence } = vector;
      const result = compareConversions(control, treatment, confidence);
      const label =
        `${control.converted}/${control.users} against ` +
        `${treatment.converted}/${treatment.users} at ${confidence}`;

      assertNear(result.absoluteLift, vector.absoluteLift, label);
      assertNear(result.relativeLift, vector.relativeLift, label);
      assertInterval(result.liftInterval, vector.liftInterval, label);
      assertNear(result.pValue, vector.pValue, label);
      assertNear(result.chanceToBeatControl, vector.chanceToBeatControl, label);
      assert.isNull(result.note, label);
    }
  });

  it("compareConversions() nulls every statistic when a variant has no users", () => {
    const expected: Comparison = {
      ...CONTROL,
      note: TOO_LITTLE_CONVERSIONS,
    };
    const some = { users: 300, converted: 30 };
    const none = { users: 0, converted: 0 };

    assert.deepStrictEqual(compareConversions(none, some, 0.95), expected);
    assert.deepStrictEqual(compareConversions(some, none, 0.95), expected);
    assert.deepStrictEqual(compareConversions(none, none, 0.95), expected);
  });

  it("compareConversions() gives no p-value when nobody converted", () => {
    const result = compareConversions(
      { users: 100, converted: 0 },
      { users: 120, converted: 0 },
      0.95,
    );

    assert.isNull(result.pValue);
    assert.strictEqual(result.note, NO_VARIANCE);
    assert.strictEqual(result.absoluteLift, 0);
    assert.isNull(result.relativeLift);
  });

  it("compareConversions() gives no p-value when everybody converted", () => {
    const result = compareConversions(
      { users: 50, converted: 50 },
      { users: 40, converted: 40 },
      0.95,
    );

    assert.isNull(result.pValue);
    assert.strictEqual(result.note, NO_VARIANCE);
    assert.strictEqual(result.absoluteLift, 0);
    assert.strictEqual(result.relativeLift, 0);
  });

  it("compareConversions() leaves the relative lift undefined over a zero baseline", () => {
    // statsmodels 0.13.5: proportions_ztest([6, 0], [200, 200]) and
    // confint_proportions_2indep(6, 200, 0, 200, method="newcomb",
    //   compare="diff", alpha=0.05)
    const result = compareConversions(
      { users: 200, converted: 0 },
      { users: 200, converted: 6 },
      0.95,
    );

    assert.isNull(result.relativeLift);
    assert.strictEqual(result.note, ZERO_BASELINE);
    assertNear(result.absoluteLift, 0.03, "absolute lift");
    assertNear(result.pValue, 0.013584367262711387, "p-value");
    assertInterval(
      result.liftInterval,
      [0.0051619534923032645, 0.06389429245451925],
      "lift interval",
    );
  });
});

describe("valueMean()", () => {
  // Per-user values: 120 buyers spending 15 + (37 i + 11) % 90 for i below
  // 120, and 680 users without a purchase counted as zero.
  const control = { users: 800, sum: 7110, sumOfSquares: 503180 };

  it("valueMean() gives the mean per user with its t interval", () => {
    // scipy 1.10.1: stats.t.interval(confidence, 799, loc=mean,
    //   scale=numpy.std(values, ddof=1) / sqrt(800))
    const vectors = [
      [0.9, [7.521237824382044, 10.253762175617954]],
      [0.95, [7.25891878364913, 10.51608121635087]],
      [0.99, [6.745306907702059, 11.02969309229794]],
    ] as const;

    for (const [confidence, interval] of vectors) {
      const result = valueMean(control, confidence);

      assertNear(result.mean, 8.8875, `mean at ${confidence}`);
      assertInterval(result.interval, interval, `interval at ${confidence}`);
    }
  });

  it("valueMean() counts users without a value as zero", () => {
    // The values [0, 12, 0, 30, 7]; scipy 1.10.1:
    // stats.t.interval(0.9, 4, loc=9.8, scale=numpy.std(values, ddof=1)
    //   / sqrt(5)). Its t.ppf(0.95, 4) is 2.1318467813 where the exact
    // quantile (mpmath, 40 digits) is 2.1318467863, so the bounds are only
    // good to about 3e-8.
    const result = valueMean({ users: 5, sum: 49, sumOfSquares: 1093 }, 0.9);

    assertNear(result.mean, 9.8, "mean");
    assertInterval(
      result.interval,
      [-2.0004988970906314, 21.600498897090624],
      "interval",
      1e-7,
    );
  });

  it("valueMean() gives no interval with fewer than two users", () => {
    assert.deepStrictEqual(
      valueMean({ users: 0, sum: 0, sumOfSquares: 0 }, 0.95),
      { mean: 0, interval: null },
    );
    assert.deepStrictEqual(
      valueMean({ users: 1, sum: 42, sumOfSquares: 1764 }, 0.95),
      { mean: 42, interval: null },
    );
  });

  it("valueMean() gives a zero-width interval without variance", () => {
    assert.deepStrictEqual(
      valueMean({ users: 50, sum: 0, sumOfSquares: 0 }, 0.95),
      { mean: 0, interval: [0, 0] },
    );
  });
});

describe("compareValues()", () => {
  // Control: 120 buyers spending 15 + (37 i + 11) % 90, i below 120, among
  // 800 users; treatment: 131 buyers spending 18 + (41 i + 5) % 95, i below
  // 131, among 780 users; the others count as zero.
  const control = { users: 800, sum: 7110, sumOfSquares: 503180 };
  const treatment = { users: 780, sum: 8513, sumOfSquares: 652379 };

  it("compareValues() gives the lifts, Welch interval and p-value", () => {
    // scipy 1.10.1: stats.ttest_ind(treatment, control, equal_var=False)
    // for the p-value; the interval is the difference of means plus or
    // minus stats.t.ppf(1 - (1 - confidence) / 2, df) times the standard
    // error, df by Welch–Satterthwaite.
    const vectors = [
      [0.9, [-0.061152903963435534, 4.114358032168564]],
      [0.95, [-0.46157058831716524, 4.514775716522294]],
      [0.99, [-1.2448957390097393, 5.298100867214868]],
    ] as const;

    for (const [confidence, interval] of vectors) {
      const result = compareValues(control, treatment, confidence);
      const label = `at ${confidence}`;

      assertNear(result.absoluteLift, 2.0266025641025642, label);
      assertNear(result.relativeLift, 0.22802841790183564, label);
      assertInterval(result.liftInterval, interval, label);
      assertNear(result.pValue, 0.11032940014594433, label);
      assert.isNull(result.chanceToBeatControl, label);
      assert.isNull(result.note, label);
    }
  });

  it("compareValues() leaves the relative lift undefined over a zero control mean", () => {
    // scipy 1.10.1: stats.ttest_ind(treatment, numpy.zeros(300),
    //   equal_var=False), interval as above at 0.95
    const result = compareValues(
      { users: 300, sum: 0, sumOfSquares: 0 },
      treatment,
      0.95,
    );

    assert.isNull(result.relativeLift);
    assertNear(result.absoluteLift, 10.914102564102564, "absolute lift");
    assertInterval(
      result.liftInterval,
      [9.03047654324529, 12.797728584959836],
      "lift interval",
    );
    assertNear(result.pValue, 7.699329064798361e-28, "p-value", 1e-36);
  });

  it("compareValues() needs two users in each variant", () => {
    const one = { users: 1, sum: 25, sumOfSquares: 625 };

    assert.deepStrictEqual(compareValues(control, one, 0.95), {
      ...CONTROL,
      absoluteLift: 25 - 8.8875,
      note: TOO_LITTLE_VALUES,
    });
    assert.deepStrictEqual(compareValues(one, control, 0.95), {
      ...CONTROL,
      absoluteLift: 8.8875 - 25,
      note: TOO_LITTLE_VALUES,
    });
  });

  it("compareValues() gives no lift when a variant has no users", () => {
    const none = { users: 0, sum: 0, sumOfSquares: 0 };

    assert.deepStrictEqual(compareValues(none, treatment, 0.95), {
      ...CONTROL,
      note: TOO_LITTLE_VALUES,
    });
    assert.deepStrictEqual(compareValues(control, none, 0.95), {
      ...CONTROL,
      note: TOO_LITTLE_VALUES,
    });
  });

  it("compareValues() gives no p-value when neither variant varies", () => {
    assert.deepStrictEqual(
      compareValues(
        { users: 200, sum: 0, sumOfSquares: 0 },
        { users: 150, sum: 1500, sumOfSquares: 15000 },
        0.95,
      ),
      { ...CONTROL, absoluteLift: 10, note: TOO_LITTLE_VALUES },
    );
  });
});

describe("adjustForMultipleComparisons()", () => {
  // statsmodels 0.13.5: multipletests([0.004, 0.03, 0.02, 0.2],
  //   method="holm")[1] == [0.016, 0.06, 0.06, 0.2]
  const pValues = [null, 0.004, 0.03, 0.02, null, 0.2];
  const adjusted = [null, 0.016, 0.06, 0.06, null, 0.2];

  it("adjustForMultipleComparisons() adjusts by Holm and skips the nulls", () => {
    const result = adjustForMultipleComparisons(pValues, 0.95);

    assert.strictEqual(result.length, pValues.length);
    result.forEach(({ adjustedPValue }, index) => {
      const expected = adjusted[index];
      if (expected === null || expected === undefined) {
        assert.isNull(adjustedPValue, `at ${index}`);
      } else {
        assertNear(adjustedPValue, expected, `at ${index}`);
      }
    });
  });

  it("adjustForMultipleComparisons() calls significant an adjusted p below 1 - confidence", () => {
    const verdicts = (confidence: number) =>
      adjustForMultipleComparisons(pValues, confidence).map(
        (result) => result.significant,
      );

    assert.deepStrictEqual(verdicts(0.9), [
      null,
      true,
      true,
      true,
      null,
      false,
    ]);
    assert.deepStrictEqual(verdicts(0.95), [
      null,
      true,
      false,
      false,
      null,
      false,
    ]);
    assert.deepStrictEqual(verdicts(0.99), [
      null,
      false,
      false,
      false,
      null,
      false,
    ]);
  });

  it("adjustForMultipleComparisons() calls nothing at or above 1 - confidence significant", () => {
    const cases = [
      [[0.05], 0.95],
      [[0.05000000000000001], 0.95],
      [[0.025, 0.025], 0.95],
      [[0.01], 0.99],
      [[0.010000000000000002], 0.99],
      [[0.1], 0.9],
    ] as const;

    for (const [input, confidence] of cases) {
      const result = adjustForMultipleComparisons(input, confidence);

      assert.deepStrictEqual(
        result.map((r) => r.significant),
        input.map(() => false),
        `${JSON.stringify(input)} at ${confidence}, adjusted to ` +
          `${JSON.stringify(result.map((r) => r.adjustedPValue))}`,
      );
    }
  });

  it("adjustForMultipleComparisons() leaves untested comparisons null", () => {
    assert.deepStrictEqual(adjustForMultipleComparisons([null, null], 0.95), [
      { adjustedPValue: null, significant: null },
      { adjustedPValue: null, significant: null },
    ]);
    assert.deepStrictEqual(adjustForMultipleComparisons([], 0.95), []);
  });
});

describe("analysis outputs", () => {
  const userCounts = [0, 1, 2, 3, 100];
  const confidences = [0.9, 0.95, 0.99];

  it("compareConversions() and conversionRate() never give NaN or infinities", () => {
    assert.deepStrictEqual(
      nonFinite({ rate: Number.NaN, interval: [0, Number.POSITIVE_INFINITY] }),
      ["rate: NaN", "1: Infinity"],
    );
    const arms = userCounts.flatMap((users) =>
      [...new Set([0, 1, Math.floor(users / 2), users])]
        .filter((converted) => converted <= users)
        .map((converted) => ({ users, converted })),
    );
    let checked = 0;

    for (const confidence of confidences) {
      for (const control of arms) {
        for (const treatment of arms) {
          const outputs = [
            conversionRate(control, confidence),
            compareConversions(control, treatment, confidence),
          ];
          assert.deepStrictEqual(
            nonFinite(outputs),
            [],
            JSON.stringify({ control, treatment, confidence }),
          );
          checked++;
        }
      }
    }
    assert.strictEqual(checked, confidences.length * arms.length ** 2);
  });

  it("compareValues() and valueMean() never give NaN or infinities", () => {
    const arms = userCounts.flatMap((users) => [
      { users, sum: 0, sumOfSquares: 0 },
      { users, sum: 7 * users, sumOfSquares: 49 * users },
      ...(users > 0 ? [{ users, sum: 12.5, sumOfSquares: 156.25 }] : []),
    ]);
    let checked = 0;

    for (const confidence of confidences) {
      for (const control of arms) {
        for (const treatment of arms) {
          const outputs = [
            valueMean(control, confidence),
            compareValues(control, treatment, confidence),
          ];
          assert.deepStrictEqual(
            nonFinite(outputs),
            [],
            JSON.stringify({ control, treatment, confidence }),
          );
          checked++;
        }
      }
    }
    assert.strictEqual(checked, confidences.length * arms.length ** 2);
  });

  it("adjustForMultipleComparisons() never gives NaN or infinities", () => {
    const inputs = [[0, 0, 1], [1e-300, 1, null], [null]];

    for (const input of inputs) {
      for (const confidence of confidences) {
        assert.deepStrictEqual(
          nonFinite(adjustForMultipleComparisons(input, confidence)),
          [],
        );
      }
    }
  });
});
