import { assert, describe, it } from "@effect/vitest";
import { csvCell, toCsv } from "../../src/domain/csv.ts";

describe("csvCell()", () => {
  it("csvCell() writes plain values as they are", () => {
    assert.strictEqual(csvCell("purchase"), "purchase");
    assert.strictEqual(csvCell(0.16), "0.16");
    assert.strictEqual(csvCell(true), "true");
    assert.strictEqual(csvCell(null), "");
  });

  it("csvCell() quotes commas, quotes and line breaks", () => {
    assert.strictEqual(csvCell("a,b"), '"a,b"');
    assert.strictEqual(csvCell('say "hi"'), '"say ""hi"""');
    assert.strictEqual(csvCell("two\nlines"), '"two\nlines"');
  });

  it("csvCell() defuses text a spreadsheet would run as a formula", () => {
    assert.strictEqual(csvCell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    assert.strictEqual(csvCell("+1"), "'+1");
    assert.strictEqual(csvCell("@cmd"), "'@cmd");
    assert.strictEqual(csvCell("-2,3"), '"\'-2,3"');
    assert.strictEqual(csvCell(-2), "-2");
  });
});

describe("toCsv()", () => {
  it("toCsv() writes a header and CRLF-terminated rows", () => {
    assert.strictEqual(
      toCsv(
        ["variant_name", "rate"],
        [
          ["control", 0.16],
          ["treat, ment", null],
        ],
      ),
      'variant_name,rate\r\ncontrol,0.16\r\n"treat, ment",\r\n',
    );
  });
});
