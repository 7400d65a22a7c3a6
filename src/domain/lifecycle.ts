/**
 * The lifecycle of an experiment and what each state means for
 * assignment. Pure.
 *
 * @module
 */

/** The states of an experiment. */
export type Status = "draft" | "active" | "paused" | "completed";

const MOVES: Readonly<Record<Status, ReadonlyArray<Status>>> = {
  draft: ["active"],
  active: ["paused", "completed"],
  paused: ["active", "completed"],
  completed: [],
};

/**
 * Whether an experiment may move from one state to another: draft to
 * active; active to paused and back; active or paused to completed, which
 * is final. Staying in the same state is no move and is allowed.
 *
 * @param from The current state.
 * @param to The requested state.
 * @returns `true` when the move is allowed.
 *
 * @example
 * ```ts
 * canMove("active", "paused"); // true
 * canMove("completed", "active"); // false
 * ```
 */
export function canMove(from: Status, to: Status): boolean {
  return from === to || MOVES[from].includes(to);
}

/**
 * The states an experiment may move to next.
 *
 * @param from The current state.
 * @returns The allowed next states.
 *
 * @example
 * ```ts
 * nextStates("paused"); // ["active", "completed"]
 * ```
 */
export const nextStates = (from: Status): ReadonlyArray<Status> => MOVES[from];

/** What the assignment endpoint does for a user without an assignment. */
export type NewUserPolicy =
  | { readonly kind: "enroll" }
  | { readonly kind: "serve"; readonly variantIndex: number };

/**
 * What a user who has no assignment yet gets: enrolled (hashed, stored and
 * counted) while active; otherwise served without being stored — the
 * control while draft or paused, the winner once completed with one.
 *
 * @param status The experiment's state.
 * @param winnerIndex The winning variant's position, if one was named.
 * @returns The policy.
 *
 * @example
 * ```ts
 * newUserPolicy("completed", 1); // { kind: "serve", variantIndex: 1 }
 * ```
 */
export function newUserPolicy(
  status: Status,
  winnerIndex: number | undefined,
): NewUserPolicy {
  if (status === "active") return { kind: "enroll" };
  if (status === "completed" && winnerIndex !== undefined) {
    return { kind: "serve", variantIndex: winnerIndex };
  }
  return { kind: "serve", variantIndex: 0 };
}
