import { assert, describe, it } from "@effect/vitest";
import { parseDuration } from "../../src/domain/duration.ts";

describe("parseDuration()", () => {
  const cases: ReadonlyArray<readonly [string, number]> = [
    ["P7D", 7 * 86_400_000],
    ["P2W", 14 * 86_400_000],
    ["PT36H", 36 * 3_600_000],
    ["PT90M", 90 * 60_000],
    ["PT0.5S", 500],
    ["P1DT12H30M", 86_400_000 + 12 * 3_600_000 + 30 * 60_000],
    ["p1d", 86_400_000],
  ];

  for (const [text, ms] of cases) {
    it(`parseDuration() reads ${text}`, () => {
      assert.strictEqual(parseDuration(text), ms);
    });
  }

  for (const text of [
    "P1M",
    "P1Y",
    "7D",
    "P",
    "PT",
    "P1DT",
    "PT0S",
    "",
    "P-1D",
  ]) {
    it(`parseDuration() refuses "${text}"`, () => {
      assert.isUndefined(parseDuration(text));
    });
  }
});
