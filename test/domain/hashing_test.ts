import { assert, describe, it } from "@effect/vitest";
import {
  allocationBoundaries,
  assignVariant,
  BUCKET_COUNT,
  bucketOf,
  chooseVariantIndex,
} from "../../src/domain/hashing.ts";

const UUID_SALT = "3f1c2a9e-7b4d-4e2a-9c1f-5d6e7f8a9b0c";
const SYNTHETIC_USERS = 100_000;

/*
 * Fixed vectors: computed once with bucketOf(), then recomputed with
 * Python's hashlib (SHA-256 of UTF-8 `salt + "\0" + userId`, first six
 * bytes as a big-endian integer, times 10000, floor-divided by 2 ** 48)
 * in both exact integer and float arithmetic; all of them agreed.
 * They must never change: a change would reassign live users.
 */
const FIXED_VECTORS: ReadonlyArray<readonly [string, string, number]> = [
  [UUID_SALT, "user_1", 2935],
  [UUID_SALT, "user_2", 9452],
  ["button-color", "a", 1769],
  ["checkout-flow", "ユーザー", 7352],
  ["checkout-flow", "jos\u00e9", 689],
  ["long-ids", "x".repeat(255), 352],
  ["ab", "c", 4219],
  ["a", "bc", 2528],
];

const CHI_SQUARE_CRITICAL_AT_P_0_001: Readonly<Record<number, number>> = {
  1: 10.828,
  2: 13.816,
};

function syntheticUserId(index: number): string {
  return `user_${index}`;
}

function chiSquare(
  observed: ReadonlyArray<number>,
  expected: ReadonlyArray<number>,
): number {
  let statistic = 0;

  observed.forEach((count, index) => {
    statistic += (count - expected[index]) ** 2 / expected[index];
  });

  return statistic;
}

describe("bucketOf", () => {
  it("bucketOf() returns the fixed bucket for each known vector", () => {
    for (const [salt, userId, bucket] of FIXED_VECTORS) {
      assert.strictEqual(bucketOf(salt, userId), bucket, `${salt} ${userId}`);
    }
  });

  it("bucketOf() returns the same bucket for the same input", () => {
    for (let index = 0; index < 1_000; index++) {
      const userId = syntheticUserId(index);
      assert.strictEqual(
        bucketOf(UUID_SALT, userId),
        bucketOf(UUID_SALT, userId),
      );
    }
  });

  it("bucketOf() returns an integer in [0, 10000) for every user", () => {
    const buckets = Array.from({ length: SYNTHETIC_USERS }, (_, index) =>
      bucketOf(UUID_SALT, syntheticUserId(index)),
    );

    const outOfRange = buckets.filter(
      (bucket) =>
        !Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKET_COUNT,
    );

    assert.deepStrictEqual(outOfRange, []);
    assert.isBelow(Math.min(...buckets), 10);
    assert.isAbove(Math.max(...buckets), BUCKET_COUNT - 10);
  });

  it("bucketOf() keeps the salt and the user id apart", () => {
    assert.notStrictEqual(bucketOf("ab", "c"), bucketOf("a", "bc"));
  });
});

describe("allocationBoundaries", () => {
  it("allocationBoundaries() splits whole percentages", () => {
    assert.deepStrictEqual(allocationBoundaries([50, 50]), [5000, 10000]);
    assert.deepStrictEqual(
      allocationBoundaries([20, 30, 50]),
      [2000, 5000, 10000],
    );
  });

  it("allocationBoundaries() rounds the running total of decimals", () => {
    assert.deepStrictEqual(
      allocationBoundaries([33.33, 33.33, 33.34]),
      [3333, 6666, 10000],
    );
    assert.deepStrictEqual(
      allocationBoundaries([33.333, 33.333, 33.334]),
      [3333, 6667, 10000],
    );
  });

  it("allocationBoundaries() ends at exactly 10000 for inexact sums", () => {
    assert.deepStrictEqual(
      allocationBoundaries([10.1, 20.2, 69.7]),
      [1010, 3030, 10000],
    );
    assert.deepStrictEqual(
      allocationBoundaries([0.1, 0.2, 99.7]),
      [10, 30, 10000],
    );
    assert.deepStrictEqual(
      allocationBoundaries([14.2857, 14.2857, 71.4286]),
      [1429, 2857, 10000],
    );
  });
});

describe("chooseVariantIndex", () => {
  const boundaries = [2000, 5000, 10000];

  it("chooseVariantIndex() picks the first variant from bucket 0", () => {
    assert.strictEqual(chooseVariantIndex(0, boundaries), 0);
  });

  it("chooseVariantIndex() keeps boundary - 1 in the lower variant", () => {
    assert.strictEqual(chooseVariantIndex(1999, boundaries), 0);
    assert.strictEqual(chooseVariantIndex(4999, boundaries), 1);
  });

  it("chooseVariantIndex() moves the boundary to the next variant", () => {
    assert.strictEqual(chooseVariantIndex(2000, boundaries), 1);
    assert.strictEqual(chooseVariantIndex(5000, boundaries), 2);
  });

  it("chooseVariantIndex() picks the last variant for bucket 9999", () => {
    assert.strictEqual(chooseVariantIndex(9999, boundaries), 2);
  });
});

describe("assignVariant", () => {
  it("assignVariant() returns the variant that owns the bucket", () => {
    const variants = [
      { key: "a", trafficAllocation: 20 },
      { key: "b", trafficAllocation: 30 },
      { key: "c", trafficAllocation: 50 },
    ];

    assert.strictEqual(
      assignVariant(UUID_SALT, "user_1", variants),
      variants[1],
    );
    assert.strictEqual(
      assignVariant(UUID_SALT, "user_2", variants),
      variants[2],
    );
    assert.strictEqual(
      assignVariant("long-ids", "x".repeat(255), variants),
      variants[0],
    );
  });

  const splits: ReadonlyArray<readonly [string, ReadonlyArray<number>]> = [
    ["split-50-50", [50, 50]],
    ["split-20-30-50", [20, 30, 50]],
    ["split-33-33-34", [33.33, 33.33, 33.34]],
  ];

  for (const [salt, allocations] of splits) {
    const split = allocations.join("/");

    it(`assignVariant() splits users ${split} as allocated`, () => {
      const variants = allocations.map((trafficAllocation, index) => ({
        index,
        trafficAllocation,
      }));
      const observed = allocations.map(() => 0);

      for (let user = 0; user < SYNTHETIC_USERS; user++) {
        const variant = assignVariant(salt, syntheticUserId(user), variants);
        observed[variant.index]++;
      }

      const expected = allocations.map(
        (allocation) => (SYNTHETIC_USERS * allocation) / 100,
      );
      const critical = CHI_SQUARE_CRITICAL_AT_P_0_001[allocations.length - 1];

      assert.isBelow(chiSquare(observed, expected), critical);
    });
  }

  it("assignVariant() places users independently per salt", () => {
    const variants = [
      { index: 0, trafficAllocation: 50 },
      { index: 1, trafficAllocation: 50 },
    ];
    let controlInBoth = 0;
    let differentVariant = 0;

    for (let user = 0; user < SYNTHETIC_USERS; user++) {
      const userId = syntheticUserId(user);
      const first = assignVariant("experiment-one", userId, variants);
      const second = assignVariant("experiment-two", userId, variants);

      if (first.index === 0 && second.index === 0) controlInBoth++;
      if (first.index !== second.index) differentVariant++;
    }

    assert.closeTo(controlInBoth / SYNTHETIC_USERS, 0.25, 0.015);
    assert.closeTo(differentVariant / SYNTHETIC_USERS, 0.5, 0.015);
  });
});
