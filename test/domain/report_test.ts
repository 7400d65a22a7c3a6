import { assert, describe, it } from "@effect/vitest";
import {
  type Analysis,
  analyse,
  buildTimeSeries,
  MAX_PERIODS,
  MIN_USERS_PER_VARIANT,
  NO_VALUE,
  OTHER_VALUES,
  type PeriodCount,
  type ReportCounts,
  type ReportVariant,
  type SegmentConversions,
  type SegmentUsers,
  type SegmentValues,
  splitSegments,
  summarize,
  totalsOfSeries,
} from "../../src/domain/report.ts";
import {
  assertInterval,
  assertNear,
  nonFinite,
  TOLERANCE,
} from "./assert_near.ts";

// Reference values: test/domain/statistics/reference/report_vectors.py,
// run with Debian's /usr/bin/python3, scipy 1.10.1 and statsmodels 0.13.5.

const twoVariants = (
  control: number,
  treatment: number,
): ReadonlyArray<ReportVariant> => [
  {
    key: 1,
    publicId: "v-control",
    name: "control",
    trafficAllocation: control,
  },
  {
    key: 2,
    publicId: "v-treatment",
    name: "treatment",
    trafficAllocation: treatment,
  },
];

const users = (
  rows: ReadonlyArray<readonly [number, string | null, number]>,
): ReadonlyArray<SegmentUsers> =>
  rows.map(([variantKey, segment, count]) => ({
    variantKey,
    segment,
    users: count,
  }));

const conversions = (
  eventType: string,
  rows: ReadonlyArray<readonly [number, string | null, number]>,
): ReadonlyArray<SegmentConversions> =>
  rows.map(([variantKey, segment, converted]) => ({
    variantKey,
    segment,
    eventType,
    converted,
  }));

const valueRows = (
  rows: ReadonlyArray<readonly [number, string | null, number, number, number]>,
): ReadonlyArray<SegmentValues> =>
  rows.map(([variantKey, segment, sum, sumOfSquares, skipped]) => ({
    variantKey,
    segment,
    sum,
    sumOfSquares,
    skipped,
  }));

const NO_COUNTS: ReportCounts = { users: [], conversions: [], values: [] };

// Three variants split 50/25/25, counted in two countries. The purchase
// amounts are whole units: the control's 200 buyers spend
// 20 + (37 i + 7) % 90, express checkout's 130 buyers 25 + 37 i % 91, and
// one-click's 104 buyers 20 + (37 i + 21) % 90; the first buyers of each
// variant are in the US, as many as its US purchases. Every other assigned
// user counts as zero.
const variants: ReadonlyArray<ReportVariant> = [
  { key: 1, publicId: "v-control", name: "control", trafficAllocation: 50 },
  {
    key: 2,
    publicId: "v-express",
    name: "express checkout",
    trafficAllocation: 25,
  },
  {
    key: 3,
    publicId: "v-one-click",
    name: "one-click",
    trafficAllocation: 25,
  },
];

const counts: ReportCounts = {
  users: users([
    [1, "US", 1180],
    [1, "DE", 820],
    [2, "US", 610],
    [2, "DE", 390],
    [3, "US", 575],
    [3, "DE", 445],
  ]),
  conversions: [
    ...conversions("signup", [
      [1, "US", 372],
      [1, "DE", 228],
      [2, "US", 170],
      [2, "DE", 115],
      [3, "US", 190],
      [3, "DE", 144],
    ]),
    ...conversions("purchase", [
      [1, "US", 121],
      [1, "DE", 79],
      [2, "US", 81],
      [2, "DE", 49],
      [3, "US", 58],
      [3, "DE", 46],
    ]),
  ],
  values: [
    {
      eventType: "purchase",
      property: "amount",
      rows: valueRows([
        [1, "US", 7737, 576749, 2],
        [1, "DE", 5143, 388391, 0],
        [2, "US", 5607, 444037, 1],
        [2, "DE", 3402, 270508, 1],
        [3, "US", 3779, 284745, 0],
        [3, "DE", 2907, 214419, 0],
      ]),
    },
  ],
};

// statsmodels 0.13.5, per event type and variant (users, converted):
// conversion_rate_ci: proportion_confint(converted, users, alpha=0.05,
//   method="wilson")
// lift_ci: confint_proportions_2indep(t_conv, t_users, c_conv, c_users,
//   method="newcomb", compare="diff", alpha=0.05)
// p_value: proportions_ztest([t_conv, c_conv], [t_users, c_users])
// chance_to_beat_control (scipy 1.10.1): integrate.quad of
//   beta(1 + t_conv, 1 + t_users - t_conv).pdf(x)
//   * beta(1 + c_conv, 1 + c_users - c_conv).cdf(x)
const expectedConversions = {
  purchase: [
    {
      users: 2000,
      converted: 200,
      interval: [0.08760922541834984, 0.11392441240665252],
    },
    {
      users: 1000,
      converted: 130,
      interval: [0.11056377462484193, 0.1522680266544689],
      absoluteLift: 0.03,
      relativeLift: 0.3,
      liftInterval: [0.006090668815199429, 0.05548325540070194],
      pValue: 0.01330044267142671,
      chanceToBeatControl: 0.9931269525999431,
    },
    {
      users: 1020,
      converted: 104,
      interval: [0.08485901653921937, 0.12204944276921934],
      absoluteLift: 0.0019607843137254832,
      relativeLift: 0.019607843137254832,
      liftInterval: [-0.020092780520189108, 0.025563442919796796],
      pValue: 0.8655024851756916,
      chanceToBeatControl: 0.5757068237451922,
    },
  ],
  signup: [
    {
      users: 2000,
      converted: 600,
      interval: [0.28031535195498103, 0.32045146695752],
    },
    {
      users: 1000,
      converted: 285,
      interval: [0.25788577698507104, 0.3137597291637176],
      absoluteLift: -0.015000000000000013,
      relativeLift: -0.050000000000000044,
      liftInterval: [-0.048962384934186184, 0.01985121791597328],
      pValue: 0.3957372928686054,
      chanceToBeatControl: 0.19977608695731736,
    },
    {
      users: 1020,
      converted: 334,
      interval: [0.2993457951224777, 0.35685097541517063],
      absoluteLift: 0.027450980392156876,
      relativeLift: 0.09150326797385626,
      liftInterval: [-0.007307672340040948, 0.06283240314491659],
      pValue: 0.12267574072938968,
      chanceToBeatControl: 0.93891570257793,
    },
  ],
} as const;

// scipy 1.10.1 on the per-user arrays, zeros included:
// mean_ci: stats.t.interval(0.95, n - 1, loc=mean,
//   scale=numpy.std(values, ddof=1) / sqrt(n))
// p_value: stats.ttest_ind(treatment, control, equal_var=False).pvalue
// lift_ci: the difference of means plus or minus
//   stats.t.ppf(0.975, df) times the standard error, df by
//   Welch–Satterthwaite
const expectedValues = [
  {
    users: 2000,
    total: 12880,
    mean: 6.44,
    interval: [5.51876275822337, 7.361237241776631],
    skipped: 2,
  },
  {
    users: 1000,
    total: 9009,
    mean: 9.009,
    interval: [7.446482070815139, 10.57151792918486],
    skipped: 2,
    absoluteLift: 2.569,
    relativeLift: 0.39891304347826084,
    liftInterval: [0.7557574600302477, 4.382242539969752],
    pValue: 0.00551494272752124,
  },
  {
    users: 1020,
    total: 6686,
    mean: 6.5549019607843135,
    interval: [5.256096891779908, 7.853707029788719],
    skipped: 0,
    absoluteLift: 0.11490196078431314,
    relativeLift: 0.01784191937644614,
    liftInterval: [-1.4768095501226604, 1.7066134716912866],
    pValue: 0.8874342429266138,
  },
] as const;

describe("analyse()", () => {
  it("analyse() sums each variant's users across segment rows", () => {
    const analysis = analyse(variants, counts, undefined, 0.95);

    assert.strictEqual(analysis.user_count, 4020);
    assert.deepStrictEqual(analysis.variants, [
      {
        variant_id: "v-control",
        variant_name: "control",
        is_control: true,
        traffic_allocation: 50,
        user_count: 2000,
        user_share: 2000 / 4020,
      },
      {
        variant_id: "v-express",
        variant_name: "express checkout",
        is_control: false,
        traffic_allocation: 25,
        user_count: 1000,
        user_share: 1000 / 4020,
      },
      {
        variant_id: "v-one-click",
        variant_name: "one-click",
        is_control: false,
        traffic_allocation: 25,
        user_count: 1020,
        user_share: 1020 / 4020,
      },
    ]);
  });

  it("analyse() checks the sample ratio against the configured allocations", () => {
    // scipy 1.10.1: stats.chisquare(observed, f_exp=total * allocation / 100)
    const main = analyse(variants, counts, undefined, 0.95).srm;
    assert.isNotNull(main);
    assertNear(main.chi_square, 0.2985074626865672, "3 variants chi-square");
    assertNear(main.p_value, 0.861350535541493, "3 variants p");
    assert.isFalse(main.mismatch);

    const fitting = analyse(
      twoVariants(20, 80),
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 200],
          [2, null, 800],
        ]),
      },
      undefined,
      0.95,
    ).srm;
    assert.deepStrictEqual(fitting, {
      chi_square: 0,
      p_value: 1,
      mismatch: false,
    });

    // stats.chisquare([500, 500], f_exp=[200, 800]) gives 562.5 and
    // 2.403184340841398e-124.
    const mismatched = analyse(
      twoVariants(20, 80),
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 500],
          [2, null, 500],
        ]),
      },
      undefined,
      0.95,
    ).srm;
    assert.isNotNull(mismatched);
    assertNear(mismatched.chi_square, 562.5, "20/80 chi-square");
    assert.closeTo(
      mismatched.p_value / 2.403184340841398e-124,
      1,
      TOLERANCE,
      "20/80 p, relative",
    );
    assert.isTrue(mismatched.mismatch);
  });

  it("analyse() gives no sample-ratio check and no shares without users", () => {
    const analysis = analyse(twoVariants(50, 50), NO_COUNTS, undefined, 0.95);

    assert.isNull(analysis.srm);
    assert.strictEqual(analysis.user_count, 0);
    assert.deepStrictEqual(
      analysis.variants.map((v) => [v.user_count, v.user_share]),
      [
        [0, 0],
        [0, 0],
      ],
    );
    assert.deepStrictEqual(analysis.conversions, []);
    assert.deepStrictEqual(analysis.values, []);
  });

  it("analyse() compares the conversions of every type found, sorted", () => {
    const analysis = analyse(variants, counts, undefined, 0.95);

    assert.deepStrictEqual(
      analysis.conversions.map((metric) => metric.event_type),
      ["purchase", "signup"],
    );
    for (const metric of analysis.conversions) {
      const expected =
        metric.event_type === "purchase"
          ? expectedConversions.purchase
          : expectedConversions.signup;

      metric.variants.forEach((variant, index) => {
        const reference = expected[index];
        const label = `${metric.event_type}, ${variant.variant_name}`;
        assert.isDefined(reference, label);
        assert.deepStrictEqual(
          [
            variant.variant_id,
            variant.is_control,
            variant.user_count,
            variant.converted,
          ],
          [
            variants[index]?.publicId,
            index === 0,
            reference.users,
            reference.converted,
          ],
          label,
        );
        assert.strictEqual(
          variant.conversion_rate,
          reference.converted / reference.users,
          label,
        );
        assertInterval(variant.conversion_rate_ci, reference.interval, label);
        if (!("pValue" in reference)) {
          assert.deepStrictEqual(
            [
              variant.absolute_lift,
              variant.relative_lift,
              variant.lift_ci,
              variant.p_value,
              variant.chance_to_beat_control,
              variant.note,
            ],
            [null, null, null, null, null, null],
            label,
          );
          return;
        }
        assertNear(variant.absolute_lift, reference.absoluteLift, label);
        assertNear(variant.relative_lift, reference.relativeLift, label);
        assertInterval(variant.lift_ci, reference.liftInterval, label);
        assertNear(variant.p_value, reference.pValue, label);
        assertNear(
          variant.chance_to_beat_control,
          reference.chanceToBeatControl,
          label,
        );
        assert.isNull(variant.note, label);
      });
      assert.strictEqual(metric.variants.length, expected.length);
    }
  });

  it("analyse() reports the requested types in the requested order", () => {
    const analysis = analyse(
      variants,
      counts,
      ["signup", "refund", "purchase", "signup"],
      0.95,
    );

    assert.deepStrictEqual(
      analysis.conversions.map((metric) => metric.event_type),
      ["signup", "refund", "purchase"],
    );
    assert.deepStrictEqual(
      analysis.conversions.map((metric) =>
        metric.variants.map((v) => v.converted),
      ),
      [
        [600, 285, 334],
        [0, 0, 0],
        [200, 130, 104],
      ],
    );
    const refund = analysis.conversions[1]?.variants ?? [];
    assert.deepStrictEqual(
      refund.map((v) => [v.p_value, v.adjusted_p_value, v.significant]),
      [
        [null, null, null],
        [null, null, null],
        [null, null, null],
      ],
    );
    assert.deepStrictEqual(
      analyse(variants, counts, ["purchase"], 0.95).conversions.map(
        (metric) => metric.event_type,
      ),
      ["purchase"],
    );
  });

  it("analyse() gives the mean value per assigned user", () => {
    const [metric] = analyse(variants, counts, undefined, 0.95).values;

    assert.isDefined(metric);
    assert.strictEqual(metric.event_type, "purchase");
    assert.strictEqual(metric.property, "amount");
    assert.strictEqual(metric.variants.length, expectedValues.length);
    metric.variants.forEach((variant, index) => {
      const reference = expectedValues[index];
      const label = variant.variant_name;
      assert.isDefined(reference, label);
      assert.deepStrictEqual(
        [
          variant.variant_id,
          variant.is_control,
          variant.user_count,
          variant.total,
          variant.skipped,
        ],
        [
          variants[index]?.publicId,
          index === 0,
          reference.users,
          reference.total,
          reference.skipped,
        ],
        label,
      );
      assertNear(variant.mean, reference.mean, label);
      assertInterval(variant.mean_ci, reference.interval, label);
      if (!("pValue" in reference)) {
        assert.deepStrictEqual(
          [
            variant.absolute_lift,
            variant.relative_lift,
            variant.lift_ci,
            variant.p_value,
            variant.note,
          ],
          [null, null, null, null, null],
          label,
        );
        return;
      }
      assertNear(variant.absolute_lift, reference.absoluteLift, label);
      assertNear(variant.relative_lift, reference.relativeLift, label);
      assertInterval(variant.lift_ci, reference.liftInterval, label);
      assertNear(variant.p_value, reference.pValue, label);
      assert.isNull(variant.note, label);
    });
  });

  it("analyse() adjusts conversion and value comparisons together by Holm", () => {
    // statsmodels 0.13.5: multipletests(p, method="holm") over the raw
    // p-values above, conversions first (purchase then signup), then the
    // value metric, variants in order.
    const adjusted = [
      [null, 0.06650221335713355, 1],
      [null, 1, 0.4907029629175587],
      [null, 0.033089656365127444, 1],
    ];
    const analysis = analyse(variants, counts, undefined, 0.95);
    const metrics = [...analysis.conversions, ...analysis.values];

    assert.strictEqual(metrics.length, adjusted.length);
    metrics.forEach((metric, row) => {
      assert.strictEqual(metric.variants.length, variants.length);
      metric.variants.forEach((variant, column) => {
        const expected = adjusted[row]?.[column];
        const label = `${metric.event_type}, ${variant.variant_name}`;
        if (expected === null || expected === undefined) {
          assert.isNull(variant.adjusted_p_value, label);
          assert.isNull(variant.significant, label);
        } else {
          assertNear(variant.adjusted_p_value, expected, label);
          assert.strictEqual(variant.significant, expected < 0.05, label);
        }
      });
    });
  });

  it("analyse() judges significance at the requested confidence", () => {
    const verdicts = (confidence: number) => {
      const analysis = analyse(variants, counts, undefined, confidence);
      return [...analysis.conversions, ...analysis.values].map((metric) =>
        metric.variants.map((variant) => variant.significant),
      );
    };

    assert.deepStrictEqual(verdicts(0.9), [
      [null, true, false],
      [null, false, false],
      [null, true, false],
    ]);
    assert.deepStrictEqual(verdicts(0.99), [
      [null, false, false],
      [null, false, false],
      [null, false, false],
    ]);
  });

  it("analyse() gives no NaN or infinities, even without data", () => {
    const sparse: ReportCounts = {
      users: users([[1, null, 1]]),
      conversions: conversions("purchase", [[1, null, 1]]),
      values: [
        {
          eventType: "purchase",
          property: "amount",
          rows: valueRows([[1, null, 30, 900, 0]]),
        },
      ],
    };

    for (const input of [counts, sparse, NO_COUNTS]) {
      for (const confidence of [0.9, 0.95, 0.99]) {
        const analysis = analyse(variants, input, undefined, confidence);
        assert.deepStrictEqual(nonFinite(analysis), []);
        assert.deepStrictEqual(nonFinite(summarize(analysis, confidence)), []);
      }
    }
  });
});

// Users per country and variant: 24 values, (none) among the largest, AT
// and CH tied inside the 20 largest, IE and NZ tied at the cut.
const countries: ReadonlyArray<readonly [string | null, number, number]> = [
  ["FR", 300, 310],
  ["US", 900, 880],
  ["NZ", 16, 14],
  [null, 400, 420],
  ["GB", 500, 480],
  ["DE", 350, 340],
  ["ES", 200, 190],
  ["IT", 180, 170],
  ["MT", 3, 2],
  ["NL", 130, 120],
  ["CH", 60, 60],
  ["AT", 58, 62],
  ["SE", 55, 50],
  ["BE", 50, 45],
  ["PL", 45, 40],
  ["DK", 40, 38],
  ["IS", 5, 6],
  ["NO", 35, 36],
  ["FI", 30, 32],
  ["PT", 28, 27],
  ["CZ", 25, 22],
  ["GR", 20, 21],
  ["IE", 15, 15],
  ["LU", 10, 8],
];

const SEGMENT_LIMIT = 20;

const segmentedCounts = (
  rows: ReadonlyArray<readonly [string | null, number, number]>,
): ReportCounts => ({
  users: rows.flatMap(([segment, control, treatment]) =>
    users([
      [1, segment, control],
      [2, segment, treatment],
    ]),
  ),
  conversions: rows.flatMap(([segment, control, treatment]) => [
    ...conversions("purchase", [
      [1, segment, Math.floor(control / 10)],
      [2, segment, Math.floor(treatment / 8)],
    ]),
    ...conversions("signup", [[2, segment, Math.floor(treatment / 3)]]),
  ]),
  values: [
    {
      eventType: "purchase",
      property: "amount",
      rows: rows.flatMap(([segment, control, treatment]) =>
        valueRows([
          [1, segment, control * 4, control * 200, control % 2],
          [2, segment, treatment * 5, treatment * 300, treatment % 3],
        ]),
      ),
    },
  ],
});

describe("splitSegments()", () => {
  const segmented = segmentedCounts(countries);
  const kept = new Set<string | null>([
    "US",
    "GB",
    null,
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "AT",
    "CH",
    "SE",
    "BE",
    "PL",
    "DK",
    "NO",
    "FI",
    "PT",
    "CZ",
    "GR",
    "IE",
  ]);

  it("splitSegments() keeps the 20 largest values by users, largest first", () => {
    assert.deepStrictEqual(
      splitSegments(segmented, SEGMENT_LIMIT).map((group) => group.value),
      [
        "US",
        "GB",
        NO_VALUE,
        "DE",
        "FR",
        "ES",
        "IT",
        "NL",
        "AT",
        "CH",
        "SE",
        "BE",
        "PL",
        "DK",
        "NO",
        "FI",
        "PT",
        "CZ",
        "GR",
        "IE",
        OTHER_VALUES,
      ],
    );
  });

  it("splitSegments() gathers the values beyond the 20 largest as (other)", () => {
    const groups = splitSegments(segmented, SEGMENT_LIMIT);
    const other = groups.find((group) => group.value === OTHER_VALUES);
    const isOther = (row: { readonly segment: string | null }) =>
      !kept.has(row.segment);

    assert.isDefined(other);
    assert.deepStrictEqual(
      [...new Set(other.counts.users.map((row) => row.segment))].sort(),
      ["IS", "LU", "MT", "NZ"],
    );
    assert.deepStrictEqual(other.counts.users, segmented.users.filter(isOther));
    assert.deepStrictEqual(
      other.counts.conversions,
      segmented.conversions.filter(isOther),
    );
    assert.deepStrictEqual(
      other.counts.values.map((metric) => metric.rows),
      segmented.values.map((metric) => metric.rows.filter(isOther)),
    );
    assert.deepStrictEqual(
      analyse(twoVariants(50, 50), other.counts, undefined, 0.95).variants.map(
        (v) => v.user_count,
      ),
      [16 + 3 + 5 + 10, 14 + 2 + 6 + 8],
    );
  });

  it("splitSegments() gathers users without the attribute as (none)", () => {
    const none = splitSegments(segmented, SEGMENT_LIMIT).find(
      (group) => group.value === NO_VALUE,
    );
    const isNone = (row: { readonly segment: string | null }) =>
      row.segment === null;

    assert.isDefined(none);
    assert.deepStrictEqual(none.counts.users, segmented.users.filter(isNone));
    assert.deepStrictEqual(
      none.counts.conversions,
      segmented.conversions.filter(isNone),
    );
    assert.deepStrictEqual(
      none.counts.values.map((metric) => metric.rows),
      segmented.values.map((metric) => metric.rows.filter(isNone)),
    );
    assert.strictEqual(
      none.counts.users.reduce((sum, row) => sum + row.users, 0),
      820,
    );
  });

  it("splitSegments() puts every row in exactly one group", () => {
    const groups = splitSegments(segmented, SEGMENT_LIMIT);
    const all = <A>(pick: (counts: ReportCounts) => ReadonlyArray<A>) =>
      groups.flatMap((group) => pick(group.counts));
    const sort = <A>(rows: ReadonlyArray<A>) =>
      rows.map((row) => JSON.stringify(row)).sort();

    assert.deepStrictEqual(sort(all((c) => c.users)), sort(segmented.users));
    assert.deepStrictEqual(
      sort(all((c) => c.conversions)),
      sort(segmented.conversions),
    );
    assert.deepStrictEqual(
      sort(all((c) => c.values.flatMap((metric) => metric.rows))),
      sort(segmented.values.flatMap((metric) => metric.rows)),
    );
  });

  it("splitSegments() groups add up to the overall totals", () => {
    const analyseGroup = (group: ReportCounts) =>
      analyse(twoVariants(50, 50), group, undefined, 0.95);
    const overall = analyseGroup(segmented);
    const groups = splitSegments(segmented, SEGMENT_LIMIT).map((group) =>
      analyseGroup(group.counts),
    );
    const assertAddsUp = (
      pick: (analysis: Analysis, index: number) => number,
      message: string,
    ) => {
      for (const index of [0, 1]) {
        assert.strictEqual(
          groups.reduce((sum, group) => sum + pick(group, index), 0),
          pick(overall, index),
          `${message}, variant ${index}`,
        );
      }
    };

    assertAddsUp((a, i) => a.variants[i]?.user_count ?? Number.NaN, "users");
    for (const eventType of ["purchase", "signup"]) {
      assertAddsUp(
        (a, i) =>
          a.conversions.find((m) => m.event_type === eventType)?.variants[i]
            ?.converted ?? 0,
        eventType,
      );
    }
    assertAddsUp(
      (a, i) => a.values[0]?.variants[i]?.total ?? Number.NaN,
      "sum",
    );
    assertAddsUp(
      (a, i) => a.values[0]?.variants[i]?.skipped ?? Number.NaN,
      "skipped",
    );
    assert.strictEqual(overall.user_count, 6843);
  });

  it("splitSegments() adds no (other) with 20 values or fewer", () => {
    const twenty = countries.filter(([segment]) => kept.has(segment));
    const groups = splitSegments(segmentedCounts(twenty), SEGMENT_LIMIT);

    assert.strictEqual(twenty.length, 20);
    assert.strictEqual(groups.length, 20);
    assert.notInclude(
      groups.map((group) => group.value),
      OTHER_VALUES,
    );

    const few = splitSegments(
      segmentedCounts([
        ["DE", 10, 12],
        [null, 30, 31],
      ]),
      SEGMENT_LIMIT,
    );
    assert.deepStrictEqual(
      few.map((group) => group.value),
      [NO_VALUE, "DE"],
    );
  });

  it("splitSegments() breaks ties in size by name", () => {
    const tied = splitSegments(
      segmentedCounts([
        ["b", 5, 5],
        ["c", 5, 5],
        ["a", 4, 6],
        ["d", 20, 0],
      ]),
      2,
    );

    assert.deepStrictEqual(
      tied.map((group) => group.value),
      ["d", "a", OTHER_VALUES],
    );
    assert.deepStrictEqual(
      [
        ...new Set(
          tied[2]?.counts.users.map((row) => row.segment) ?? ["missing"],
        ),
      ],
      ["b", "c"],
    );
  });

  it("splitSegments() gives no groups without users", () => {
    assert.deepStrictEqual(splitSegments(NO_COUNTS, SEGMENT_LIMIT), []);
  });
});

const periodCount = (
  variantKey: number,
  eventType: string | null,
  period: string | null,
  count: number,
): PeriodCount => ({ variantKey, eventType, period, count });

const point = (
  period: string,
  control: readonly [number, number, number],
  treatment: readonly [number, number, number],
) => ({
  period_start: new Date(period),
  variants: [
    ["v-control", "control", control] as const,
    ["v-treatment", "treatment", treatment] as const,
  ].map(([variant_id, variant_name, [users, purchases, signups]]) => ({
    variant_id,
    variant_name,
    users,
    conversions: [
      {
        event_type: "purchase",
        converted: purchases,
        conversion_rate: users === 0 ? 0 : purchases / users,
      },
      {
        event_type: "signup",
        converted: signups,
        conversion_rate: users === 0 ? 0 : signups / users,
      },
    ],
  })),
});

describe("buildTimeSeries()", () => {
  it("buildTimeSeries() accumulates daily counts and fills the gaps", () => {
    const series = buildTimeSeries(
      twoVariants(50, 50),
      [
        periodCount(1, null, "2026-10-25T00:00:00Z", 40),
        periodCount(2, null, "2026-10-26T00:00:00Z", 38),
        periodCount(1, null, "2026-10-28T00:00:00Z", 25),
        periodCount(2, null, "2026-10-28T00:00:00Z", 30),
      ],
      [
        periodCount(1, "purchase", "2026-10-25T00:00:00Z", 3),
        periodCount(2, "purchase", "2026-10-26T00:00:00Z", 5),
        periodCount(2, "refund", "2026-10-27T00:00:00Z", 2),
        periodCount(1, "signup", "2026-10-28T00:00:00Z", 7),
        periodCount(2, "purchase", "2026-10-28T00:00:00Z", 4),
      ],
      ["purchase", "signup"],
      "day",
    );

    assert.deepStrictEqual(series, [
      point("2026-10-25T00:00:00Z", [40, 3, 0], [0, 0, 0]),
      point("2026-10-26T00:00:00Z", [40, 3, 0], [38, 5, 0]),
      point("2026-10-27T00:00:00Z", [40, 3, 0], [38, 5, 0]),
      point("2026-10-28T00:00:00Z", [65, 3, 7], [68, 9, 0]),
    ]);
    assert.strictEqual(
      series[3]?.variants[1]?.conversions[0]?.conversion_rate,
      9 / 68,
    );
    assert.strictEqual(
      series[0]?.variants[1]?.conversions[0]?.conversion_rate,
      0,
    );
  });

  it("buildTimeSeries() steps by the hour across midnight", () => {
    const series = buildTimeSeries(
      twoVariants(50, 50),
      [
        periodCount(1, null, "2026-10-27T22:00:00Z", 4),
        periodCount(2, null, "2026-10-27T22:00:00Z", 5),
        periodCount(2, null, "2026-10-28T01:00:00Z", 2),
      ],
      [
        periodCount(1, "signup", "2026-10-27T23:00:00Z", 1),
        periodCount(2, "purchase", "2026-10-28T00:00:00Z", 2),
      ],
      ["purchase", "signup"],
      "hour",
    );

    assert.deepStrictEqual(series, [
      point("2026-10-27T22:00:00Z", [4, 0, 0], [5, 0, 0]),
      point("2026-10-27T23:00:00Z", [4, 0, 1], [5, 0, 0]),
      point("2026-10-28T00:00:00Z", [4, 0, 1], [5, 2, 0]),
      point("2026-10-28T01:00:00Z", [4, 0, 1], [7, 2, 0]),
    ]);
  });

  it("buildTimeSeries() dates each point at the start of its period in UTC", () => {
    const series = buildTimeSeries(
      twoVariants(50, 50),
      [
        periodCount(1, null, "2026-10-27T13:00:00Z", 1),
        periodCount(1, null, "2026-10-27T15:00:00Z", 1),
      ],
      [],
      [],
      "hour",
    );

    assert.deepStrictEqual(
      series.map((p) => [
        p.period_start instanceof Date,
        p.period_start.toISOString(),
      ]),
      [
        [true, "2026-10-27T13:00:00.000Z"],
        [true, "2026-10-27T14:00:00.000Z"],
        [true, "2026-10-27T15:00:00.000Z"],
      ],
    );
    const daily = buildTimeSeries(
      twoVariants(50, 50),
      [periodCount(2, null, "2026-03-29T00:00:00Z", 3)],
      [],
      ["purchase"],
      "day",
    );
    assert.strictEqual(daily[0]?.period_start.getTime(), Date.UTC(2026, 2, 29));
  });

  it("buildTimeSeries() leaves out users who did not convert (null period)", () => {
    const users = [periodCount(1, null, "2026-10-27T00:00:00Z", 10)];
    const converted = [periodCount(1, "purchase", "2026-10-28T00:00:00Z", 2)];
    const notConverted = [
      periodCount(1, "purchase", null, 8),
      periodCount(2, "signup", null, 5),
    ];

    const series = buildTimeSeries(
      twoVariants(50, 50),
      users,
      [...notConverted, ...converted],
      ["purchase", "signup"],
      "day",
    );

    assert.deepStrictEqual(series, [
      point("2026-10-27T00:00:00Z", [10, 0, 0], [0, 0, 0]),
      point("2026-10-28T00:00:00Z", [10, 2, 0], [0, 0, 0]),
    ]);
    assert.deepStrictEqual(
      buildTimeSeries(twoVariants(50, 50), [], notConverted, [], "day"),
      [],
    );
  });

  it("buildTimeSeries() gives no points without data", () => {
    assert.deepStrictEqual(
      buildTimeSeries(twoVariants(50, 50), [], [], ["purchase"], "day"),
      [],
    );
    assert.deepStrictEqual(
      buildTimeSeries(twoVariants(50, 50), [], [], [], "hour"),
      [],
    );
  });

  it("buildTimeSeries() caps a long series at MAX_PERIODS points", () => {
    const first = Date.UTC(2020, 0, 1);
    const day = 86_400_000;
    const series = buildTimeSeries(
      twoVariants(50, 50),
      [
        periodCount(1, null, new Date(first).toISOString(), 10),
        periodCount(2, null, new Date(first + 2500 * day).toISOString(), 10),
      ],
      [],
      ["purchase"],
      "day",
    );

    assert.strictEqual(series.length, MAX_PERIODS);
    assert.strictEqual(series[0]?.period_start.getTime(), first);
    assert.strictEqual(
      series[MAX_PERIODS - 1]?.period_start.getTime(),
      first + (MAX_PERIODS - 1) * day,
    );
  });

  it("buildTimeSeries() caps the hourly series of a long, busy experiment", () => {
    // Four variants, twenty event types, every hour for 92 days: 185,472
    // rows from SQL.
    const hour = 3_600_000;
    const first = Date.UTC(2026, 5, 1);
    const four: ReadonlyArray<ReportVariant> = [1, 2, 3, 4].map((key) => ({
      key,
      publicId: `v-${key}`,
      name: `variant ${key}`,
      trafficAllocation: 25,
    }));
    const eventTypes = Array.from({ length: 20 }, (_, i) => `event-${i}`);
    const periods = Array.from({ length: 92 * 24 }, (_, i) =>
      new Date(first + i * hour).toISOString().replace(".000Z", "Z"),
    );
    const userRows = periods.flatMap((period) =>
      four.map((v) => periodCount(v.key, null, period, 3)),
    );
    const conversionRows = periods.flatMap((period) =>
      four.flatMap((v) =>
        eventTypes.map((type) => periodCount(v.key, type, period, 1)),
      ),
    );

    assert.strictEqual(userRows.length + conversionRows.length, 185_472);
    const series = buildTimeSeries(
      four,
      userRows,
      conversionRows,
      eventTypes,
      "hour",
    );
    assert.strictEqual(series.length, MAX_PERIODS);
    assert.strictEqual(
      series[MAX_PERIODS - 1]?.variants[0]?.users,
      3 * MAX_PERIODS,
    );
  });
});

const TOO_LITTLE_DATA_ADVICE =
  `at least ${MIN_USERS_PER_VARIANT} per variant are advisable ` +
  "before reading the results.";

describe("totalsOfSeries()", () => {
  it("totalsOfSeries() adds up users per variant over the periods", () => {
    const { users } = totalsOfSeries(
      [
        periodCount(1, null, "2026-10-25T00:00:00Z", 40),
        periodCount(2, null, "2026-10-25T00:00:00Z", 38),
        periodCount(1, null, "2026-10-27T00:00:00Z", 25),
      ],
      [],
    );

    assert.deepStrictEqual(users, [
      { variantKey: 1, segment: null, users: 65 },
      { variantKey: 2, segment: null, users: 38 },
    ]);
  });

  it("totalsOfSeries() adds up conversions and keeps unconverted types", () => {
    const { conversions } = totalsOfSeries(
      [],
      [
        periodCount(1, "purchase", "2026-10-25T00:00:00Z", 3),
        periodCount(1, "purchase", null, 30),
        periodCount(1, "purchase", "2026-10-26T00:00:00Z", 4),
        periodCount(2, "purchase", "2026-10-26T00:00:00Z", 5),
        periodCount(2, "refund", null, 6),
      ],
    );

    assert.deepStrictEqual(conversions, [
      { variantKey: 1, segment: null, eventType: "purchase", converted: 7 },
      { variantKey: 2, segment: null, eventType: "purchase", converted: 5 },
      { variantKey: 2, segment: null, eventType: "refund", converted: 0 },
    ]);
  });

  it("totalsOfSeries() feeds analyse() like the separate counts", () => {
    const usersRows = [
      periodCount(1, null, "2026-10-25T00:00:00Z", 600),
      periodCount(2, null, "2026-10-25T00:00:00Z", 580),
      periodCount(1, null, "2026-10-26T00:00:00Z", 400),
      periodCount(2, null, "2026-10-26T00:00:00Z", 420),
    ];
    const conversionRows = [
      periodCount(1, "purchase", "2026-10-25T00:00:00Z", 60),
      periodCount(1, "purchase", "2026-10-26T00:00:00Z", 40),
      periodCount(1, "purchase", null, 200),
      periodCount(2, "purchase", "2026-10-26T00:00:00Z", 130),
      periodCount(2, "purchase", null, 170),
    ];
    const separate: ReportCounts = {
      users: [
        { variantKey: 1, segment: null, users: 1000 },
        { variantKey: 2, segment: null, users: 1000 },
      ],
      conversions: [
        { variantKey: 1, segment: null, eventType: "purchase", converted: 100 },
        { variantKey: 2, segment: null, eventType: "purchase", converted: 130 },
      ],
      values: [],
    };

    const fromSeries = {
      ...totalsOfSeries(usersRows, conversionRows),
      values: [],
    };

    assert.deepStrictEqual(
      analyse(twoVariants(50, 50), fromSeries, undefined, 0.95),
      analyse(twoVariants(50, 50), separate, undefined, 0.95),
    );
  });
});

describe("summarize()", () => {
  it("summarize() states each metric's leader, lift, interval and verdict", () => {
    // The figures are those of the analyse() tests above: purchase rates
    // 13.0% and 10.0%, Newcombe interval [0.0061, 0.0555], adjusted p
    // 0.0665; signup 32.7% and 30.0%, [-0.0073, 0.0628], 0.4907; amounts
    // 9.009 and 6.44 per user, Welch interval [0.7558, 4.3822], 0.0331.
    const summary = summarize(analyse(variants, counts, undefined, 0.95), 0.95);

    assert.deepStrictEqual(summary.sentences, [
      "purchase: express checkout converts 13.0% against 10.0% for " +
        "control, +3.0 points (95.0% CI +0.6 points to +5.5 points); " +
        "not significant (adjusted p = 0.067).",
      "signup: one-click converts 32.7% against 30.0% for control, " +
        "+2.7 points (95.0% CI -0.7 points to +6.3 points); " +
        "not significant (adjusted p = 0.49).",
      "purchase amount per user: express checkout averages 9.01 against " +
        "6.44 for control, +2.57 (95.0% CI +0.76 to +4.38); " +
        "significant at 95.0% confidence (adjusted p = 0.033).",
    ]);
    assert.deepStrictEqual(summary.warnings, [
      "purchase amount: 4 values were not numbers and were ignored.",
    ]);
  });

  it("summarize() states a loss and the verdict at the confidence used", () => {
    // statsmodels 0.13.5, 60/480 against 52/520: Newcombe interval at 0.9
    // [-0.0583, 0.0079], z-test p 0.2104; 500/5000 against 600/5000:
    // Newcombe interval at 0.99 [0.0039, 0.0361], z-test p 0.0013934.
    const loss = analyse(
      twoVariants(50, 50),
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 480],
          [2, null, 520],
        ]),
        conversions: conversions("purchase", [
          [1, null, 60],
          [2, null, 52],
        ]),
      },
      undefined,
      0.9,
    );
    const gain = analyse(
      twoVariants(50, 50),
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 5000],
          [2, null, 5000],
        ]),
        conversions: conversions("purchase", [
          [1, null, 500],
          [2, null, 600],
        ]),
      },
      undefined,
      0.99,
    );

    assert.deepStrictEqual(summarize(loss, 0.9), {
      sentences: [
        "purchase: treatment converts 10.0% against 12.5% for control, " +
          "-2.5 points (90.0% CI -5.8 points to +0.8 points); " +
          "not significant (adjusted p = 0.21).",
      ],
      warnings: [],
    });
    assert.deepStrictEqual(summarize(gain, 0.99), {
      sentences: [
        "purchase: treatment converts 12.0% against 10.0% for control, " +
          "+2.0 points (99.0% CI +0.4 points to +3.6 points); " +
          "significant at 99.0% confidence (adjusted p = 0.0014).",
      ],
      warnings: [],
    });
  });

  it("summarize() says why a comparison is not testable yet", () => {
    // statsmodels 0.13.5: confint_proportions_2indep(0, 160, 0, 150,
    //   method="newcomb", compare="diff") is [-0.02497, 0.02345].
    const nobody = analyse(
      twoVariants(50, 50),
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 150],
          [2, null, 160],
        ]),
      },
      ["signup"],
      0.95,
    );
    const oneUser = analyse(
      twoVariants(50, 50),
      {
        users: users([
          [1, null, 150],
          [2, null, 1],
        ]),
        conversions: [],
        values: [
          {
            eventType: "purchase",
            property: "amount",
            rows: valueRows([
              [1, null, 600, 36000, 0],
              [2, null, 45, 2025, 3],
            ]),
          },
        ],
      },
      undefined,
      0.95,
    );

    assert.deepStrictEqual(summarize(nobody, 0.95).sentences, [
      "signup: treatment converts 0.0% against 0.0% for control, " +
        "+0.0 points (95.0% CI -2.5 points to +2.3 points); " +
        "not testable yet (No variance: every user converted, or none " +
        "did, in both variants).",
    ]);
    assert.deepStrictEqual(summarize(oneUser, 0.95).sentences, [
      "purchase amount per user: treatment averages 45.00 against 4.00 " +
        "for control, +41.00; not testable yet (Too little data: a " +
        "variant needs two users and some variance).",
    ]);
  });

  it("summarize() states no lift that the analysis does not have", () => {
    const analysis = analyse(
      twoVariants(50, 50),
      {
        users: users([[1, null, 150]]),
        conversions: conversions("purchase", [[1, null, 15]]),
        values: [
          {
            eventType: "purchase",
            property: "amount",
            rows: valueRows([[1, null, 600, 36000, 0]]),
          },
        ],
      },
      undefined,
      0.95,
    );

    assert.deepStrictEqual(
      [
        analysis.conversions[0]?.variants[1]?.absolute_lift,
        analysis.values[0]?.variants[1]?.absolute_lift,
      ],
      [null, null],
    );
    const statingALift = summarize(analysis, 0.95).sentences.filter(
      (sentence) => /, [+-]\d/.test(sentence),
    );
    assert.deepStrictEqual(statingALift, []);
  });

  it("summarize() warns of a sample-ratio mismatch", () => {
    // scipy 1.10.1: stats.chisquare([500, 500], f_exp=[200, 800]).pvalue
    // is 2.403184340841398e-124.
    const mismatched = analyse(
      twoVariants(20, 80),
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 500],
          [2, null, 500],
        ]),
      },
      undefined,
      0.95,
    );
    const fitting = analyse(
      twoVariants(20, 80),
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 200],
          [2, null, 800],
        ]),
      },
      undefined,
      0.95,
    );

    assert.deepStrictEqual(summarize(mismatched, 0.95), {
      sentences: [],
      warnings: [
        "Sample-ratio mismatch: users split control 500, treatment 500 " +
          "against the configured 20%/80% (p = 2.4e-124); check " +
          "assignment before trusting these results.",
      ],
    });
    assert.deepStrictEqual(summarize(fitting, 0.95), {
      sentences: [],
      warnings: [],
    });
  });

  it("summarize() warns of variants with too few users", () => {
    const three: ReadonlyArray<ReportVariant> = [
      { key: 1, publicId: "a", name: "control", trafficAllocation: 30 },
      { key: 2, publicId: "b", name: "B", trafficAllocation: 35 },
      { key: 3, publicId: "c", name: "C", trafficAllocation: 35 },
    ];
    const analysis = analyse(
      three,
      {
        ...NO_COUNTS,
        users: users([
          [1, null, 80],
          [2, null, MIN_USERS_PER_VARIANT],
          [3, null, 95],
        ]),
      },
      undefined,
      0.95,
    );

    assert.isFalse(analysis.srm?.mismatch);
    assert.deepStrictEqual(summarize(analysis, 0.95).warnings, [
      "Too little data: control has 80 users, C has 95 users; " +
        TOO_LITTLE_DATA_ADVICE,
    ]);
    assert.deepStrictEqual(
      summarize(analyse(twoVariants(50, 50), NO_COUNTS, undefined, 0.95), 0.95),
      {
        sentences: [],
        warnings: [
          "Too little data: control has 0 users, treatment has 0 users; " +
            TOO_LITTLE_DATA_ADVICE,
        ],
      },
    );
  });

  it("summarize() gives the warnings in order: mismatch, data, skipped values", () => {
    // scipy 1.10.1: stats.chisquare([150, 1], f_exp=[75.5, 75.5]).pvalue
    // is 7.743554664729616e-34.
    const analysis = analyse(
      twoVariants(50, 50),
      {
        users: users([
          [1, null, 150],
          [2, null, 1],
        ]),
        conversions: [],
        values: [
          {
            eventType: "purchase",
            property: "amount",
            rows: valueRows([
              [1, null, 600, 36000, 0],
              [2, null, 45, 2025, 3],
            ]),
          },
        ],
      },
      undefined,
      0.95,
    );

    assert.deepStrictEqual(summarize(analysis, 0.95).warnings, [
      "Sample-ratio mismatch: users split control 150, treatment 1 " +
        "against the configured 50%/50% (p = 7.7e-34); check assignment " +
        "before trusting these results.",
      `Too little data: treatment has 1 users; ${TOO_LITTLE_DATA_ADVICE}`,
      "purchase amount: 3 values were not numbers and were ignored.",
    ]);
  });

  it("summarize() gives no sentences without metrics", () => {
    const analysis = analyse(
      variants,
      { ...counts, conversions: [], values: [] },
      undefined,
      0.95,
    );

    assert.deepStrictEqual(summarize(analysis, 0.95), {
      sentences: [],
      warnings: [],
    });
  });
});
