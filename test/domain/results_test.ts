import { assert, describe, it } from "@effect/vitest";
import {
  buildResultRows,
  reportedEventTypes,
} from "../../src/domain/results.ts";

const variants = [
  { key: 10, publicId: "v-control", name: "control" },
  { key: 11, publicId: "v-treatment", name: "treatment" },
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
    );

    assert.deepStrictEqual(rows, [
      {
        variant_id: "v-control",
        variant_name: "control",
        user_count: 50,
        event_type: "purchase",
        user_count_event_type: 8,
        conversion_rate: 0.16,
      },
      {
        variant_id: "v-treatment",
        variant_name: "treatment",
        user_count: 40,
        event_type: "purchase",
        user_count_event_type: 0,
        conversion_rate: 0,
      },
    ]);
  });

  it("buildResultRows() gives a rate of 0 to a variant without users", () => {
    const rows = buildResultRows(variants, [], [], ["signup"]);

    assert.strictEqual(rows.length, 2);
    for (const row of rows) {
      assert.strictEqual(row.user_count, 0);
      assert.strictEqual(row.conversion_rate, 0);
      assert.strictEqual(row.event_type, "signup");
    }
  });

  it("buildResultRows() returns no rows when no type is known", () => {
    const rows = buildResultRows(
      variants,
      [{ variantKey: 10, users: 3 }],
      [],
      undefined,
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
    );

    assert.deepStrictEqual(
      rows.map((row) => [
        row.event_type,
        row.variant_name,
        row.user_count_event_type,
        row.conversion_rate,
      ]),
      [
        ["purchase", "control", 1, 0.25],
        ["purchase", "treatment", 2, 0.4],
        ["refund", "control", 0, 0],
        ["refund", "treatment", 0, 0],
      ],
    );
  });
});
