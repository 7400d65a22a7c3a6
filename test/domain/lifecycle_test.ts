import { assert, describe, it } from "@effect/vitest";
import {
  canMove,
  newUserPolicy,
  nextStates,
  type Status,
} from "../../src/domain/lifecycle.ts";

const STATES: ReadonlyArray<Status> = [
  "draft",
  "active",
  "paused",
  "completed",
];

describe("canMove()", () => {
  const allowed = new Set([
    "draft>active",
    "active>paused",
    "paused>active",
    "active>completed",
    "paused>completed",
  ]);

  for (const from of STATES) {
    for (const to of STATES) {
      const expected = from === to || allowed.has(`${from}>${to}`);
      it(`canMove() ${expected ? "allows" : "refuses"} ${from} to ${to}`, () => {
        assert.strictEqual(canMove(from, to), expected);
      });
    }
  }

  it("nextStates() lists nothing after completed", () => {
    assert.deepStrictEqual(nextStates("completed"), []);
    assert.deepStrictEqual(nextStates("paused"), ["active", "completed"]);
  });
});

describe("newUserPolicy()", () => {
  it("newUserPolicy() enrolls new users only while active", () => {
    assert.deepStrictEqual(newUserPolicy("active", undefined), {
      kind: "enroll",
    });
    assert.deepStrictEqual(newUserPolicy("active", 1), { kind: "enroll" });
  });

  it("newUserPolicy() serves the control while draft or paused", () => {
    for (const status of ["draft", "paused"] as const) {
      assert.deepStrictEqual(newUserPolicy(status, 1), {
        kind: "serve",
        variantIndex: 0,
      });
    }
  });

  it("newUserPolicy() serves the winner once completed with one", () => {
    assert.deepStrictEqual(newUserPolicy("completed", 2), {
      kind: "serve",
      variantIndex: 2,
    });
    assert.deepStrictEqual(newUserPolicy("completed", undefined), {
      kind: "serve",
      variantIndex: 0,
    });
  });
});
