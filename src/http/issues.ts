/**
 * Turns schema decode issues into the sentences of a `400` detail.
 *
 * @module
 */

/** One problem of a decode failure and where it is. */
export interface Issue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

const OPTIONAL_MISMATCH = "Expected undefined";

/**
 * Writes a path the way callers write it: `variants[1].name`.
 *
 * @param path The keys and indexes.
 * @returns The path as text.
 *
 * @example
 * ```ts
 * formatPath(["variants", 1, "name"]); // "variants[1].name"
 * ```
 */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key, index) =>
      typeof key === "number"
        ? `[${key}]`
        : index === 0
          ? String(key)
          : `.${String(key)}`,
    )
    .join("");

/**
 * Leaves out the "Expected undefined" mismatch that an optional field adds
 * next to its real problem.
 *
 * @param issues The decode issues.
 * @returns The issues that tell the caller something.
 *
 * @example
 * ```ts
 * informativeIssues(ParseResult.ArrayFormatter.formatErrorSync(error));
 * ```
 */
export function informativeIssues<I extends Issue>(
  issues: ReadonlyArray<I>,
): ReadonlyArray<I> {
  return issues.filter(
    (issue) =>
      !issue.message.startsWith(OPTIONAL_MISMATCH) ||
      !issues.some(
        (other) =>
          other !== issue &&
          !other.message.startsWith(OPTIONAL_MISMATCH) &&
          formatPath(other.path).startsWith(formatPath(issue.path)),
      ),
  );
}

/**
 * Joins issues into one sentence, `path: problem` each, at most `limit`
 * of them.
 *
 * @param issues The issues, already filtered.
 * @param limit How many to name.
 * @returns Text such as `name: is empty; variants: Expected at least 2`.
 *
 * @example
 * ```ts
 * describeIssues([{ path: ["name"], message: "is empty" }]); // "name: is empty"
 * ```
 */
export function describeIssues(
  issues: ReadonlyArray<Issue>,
  limit = 5,
): string {
  const named = issues
    .slice(0, limit)
    .map(({ path, message }) =>
      path.length === 0 ? message : `${formatPath(path)}: ${message}`,
    )
    .join("; ");
  return issues.length > limit ? `${named}; and more` : named;
}
