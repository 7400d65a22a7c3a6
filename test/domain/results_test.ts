import { assert, describe, it } from "@effect/vitest";
import {
  buildResultRows,
  type ResultRow,
  reportedEventTypes,
} from "../../src/domain/results.ts";
import { assertInterval } from "./assert_near.ts";

const variants = [
  { key: 10, publicId: "v-control", name: "control" },
  { key: 11, publicId: "v-treatment", name: "treatment" },
];

const counts = (row: ResultRow) => [
  row.event_type,
  row.variant_name,
  row.user_count,
  row.user_count_event_type,
  row.conversion_rate,
];

describe("reportedEventTypes()", () => {
  it("reportedEventTypes() keeps the requested types in order without repeats", () => {
    assert.deepStrictEqual(
      reportedEventTypes(
        [{ variantKey: 10, eventType: "purchase", converted: 3 }],
        ["signup", "purchase", "signup"],
      ),
      ["signup", "purchase"],
    );
  });

  it("reportedEventTypes() sorts the types found when nothing is requested", () => {
    assert.deepStrictEqual(
      reportedEventTypes(
        [
          { variantKey: 10, eventType: "signup", converted: 1 },
          { variantKey: 11, eventType: "click", converted: 0 },
          { variantKey: 11, eventType: "signup", converted: 2 },
        ],
        undefined,
      ),
      ["click", "signup"],
    );
  });
});

describe("buildResultRows()", () => {
  it("buildResultRows() fills every variant for every type with zeros", () => {
    const rows = buildResultRows(
      variants,
      [
        { variantKey: 10, users: 50 },
        { variantKey: 11, users: 40 },
      ],
      [{ variantKey: 10, eventType: "purchase", converted: 8 }],
      undefined,
      0.95,
    );

    assert.deepStrictEqual(rows.map(counts), [
      ["purchase", "control", 50, 8, 0.16],
      ["purchase", "treatment", 40, 0, 0],
    ]);
    assert.deepStrictEqual(
      rows.map((row) => [row.variant_id, row.is_control]),
      [
        ["v-control", true],
        ["v-treatment", false],
      ],
    );
  });

  it("buildResultRows() gives a rate of 0 and null statistics without users", () => {
    const rows = buildResultRows(variants, [], [], ["signup"], 0.95);

    assert.strictEqual(rows.length, 2);
    for (const row of rows) {
      assert.strictEqual(row.user_count, 0);
      assert.strictEqual(row.conversion_rate, 0);
      assert.isNull(row.conversion_rate_ci);
      assert.isNull(row.p_value);
      assert.isNull(row.significant);
    }
    assert.match(rows[1]?.note ?? "", /Too little data/);
  });

  it("buildResultRows() returns no rows when no type is known", () => {
    const rows = buildResultRows(
      variants,
      [{ variantKey: 10, users: 3 }],
      [],
      undefined,
      0.95,
    );

    assert.deepStrictEqual(rows, []);
  });

  it("buildResultRows() reports only the requested types", () => {
    const rows = buildResultRows(
      variants,
      [
        { variantKey: 10, users: 4 },
        { variantKey: 11, users: 5 },
      ],
      [
        { variantKey: 10, eventType: "purchase", converted: 1 },
        { variantKey: 11, eventType: "purchase", converted: 2 },
      ],
      ["purchase", "refund"],
      0.95,
    );

    assert.deepStrictEqual(rows.map(counts), [
      ["purchase", "control", 4, 1, 0.25],
      ["purchase", "treatment", 5, 2, 0.4],
      ["refund", "control", 4, 0, 0],
      ["refund", "treatment", 5, 0, 0],
    ]);
    assert.isNull(rows[3]?.p_value);
    assert.match(rows[3]?.note ?? "", /No variance/);
  });

  // Reference values from statsmodels 0.13.5 and scipy 1.10.1 (Debian):
  // proportion_confint(method="wilson"), proportions_ztest,
  // confint_proportions_2indep(method="newcomb"), multipletests("holm"),
  // and integrate.quad over the Beta posteriors for the chance to beat.
  it("buildResultRows() compares each variant with the control", () => {
    const rows = buildResultRows(
      variants,
      [
        { variantKey: 10, users: 100 },
        { variantKey: 11, users: 100 },
      ],
      [
        { variantKey: 10, eventType: "purchase", converted: 10 },
        { variantKey: 11, eventType: "purchase", converted: 20 },
      ],
      undefined,
      0.95,
    );
    const [control, treatment] = rows;

    assertInterval(
      control?.conversion_rate_ci ?? null,
      [0.05522913706067509, 0.17436566150491348],
      "control rate interval",
    );
    assert.isNull(control?.absolute_lift);
    assert.isNull(control?.p_value);
    assertInterval(
      treatment?.conversion_rate_ci ?? null,
      [0.1333669333310325, 0.2888291655931589],
      "treatment rate interval",
    );
    assert.closeTo(treatment?.absolute_lift ?? 0, 0.1, 1e-12);
    assert.closeTo(treatment?.relative_lift ?? 0, 1, 1e-12);
    assertInterval(
      treatment?.lift_ci ?? null,
      [0.00014902511855761913, 0.19947387007806955],
      "lift interval",
    );
    assert.closeTo(treatment?.p_value ?? 0, 0.04767038065616141, 1e-9);
    assert.closeTo(treatment?.adjusted_p_value ?? 0, 0.04767038065616141, 1e-9);
    assert.isTrue(treatment?.significant);
    assert.closeTo(
      treatment?.chance_to_beat_control ?? 0,
      0.9751730331528748,
      1e-6,
    );
    assert.isNull(treatment?.note);
  });

  it("buildResultRows() adjusts p-values across every row by Holm", () => {
    const rows = buildResultRows(
      variants,
      [
        { variantKey: 10, users: 100 },
        { variantKey: 11, users: 100 },
      ],
      [
        { variantKey: 10, eventType: "a", converted: 10 },
        { variantKey: 11, eventType: "a", converted: 20 },
      ],
      undefined,
      0.95,
    );
    const second = buildResultRows(
      variants,
      [
        { variantKey: 10, users: 200 },
        { variantKey: 11, users: 210 },
      ],
      [
        { variantKey: 10, eventType: "b", converted: 30 },
        { variantKey: 11, eventType: "b", converted: 45 },
      ],
      undefined,
      0.95,
    );
    assert.closeTo(second[1]?.p_value ?? 0, 0.09237967055994593, 1e-9);

    const both = buildResultRows(
      variants,
      [
        { variantKey: 10, users: 100 },
        { variantKey: 11, users: 100 },
      ],
      [
        { variantKey: 10, eventType: "a", converted: 10 },
        { variantKey: 11, eventType: "a", converted: 20 },
        { variantKey: 10, eventType: "b", converted: 10 },
        { variantKey: 11, eventType: "b", converted: 20 },
      ],
      undefined,
      0.95,
    );

    assert.closeTo(rows[1]?.adjusted_p_value ?? 0, 0.04767038065616141, 1e-9);
    assert.closeTo(both[1]?.adjusted_p_value ?? 0, 0.09534076131232282, 1e-9);
    assert.closeTo(both[3]?.adjusted_p_value ?? 0, 0.09534076131232282, 1e-9);
    assert.isFalse(both[1]?.significant);
    assert.isTrue(rows[1]?.significant);
  });

  it("buildResultRows() gives a null relative lift on a zero baseline", () => {
    const rows = buildResultRows(
      variants,
      [
        { variantKey: 10, users: 30 },
        { variantKey: 11, users: 30 },
      ],
      [{ variantKey: 11, eventType: "a", converted: 3 }],
      undefined,
      0.95,
    );

    assert.closeTo(rows[1]?.absolute_lift ?? 0, 0.1, 1e-12);
    assert.isNull(rows[1]?.relative_lift);
    assert.isNotNull(rows[1]?.p_value);
    assert.match(rows[1]?.note ?? "", /control converted nobody/);
    assert.isFalse(JSON.stringify(rows).includes("NaN"));
  });
});
