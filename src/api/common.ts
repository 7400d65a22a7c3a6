/**
 * Schemas shared by several endpoint groups.
 *
 * @module
 */
import { ParseResult, Schema } from "effect";
import { parseDuration } from "../domain/duration.ts";

/** A public id: a UUID string. */
export const PublicId = Schema.String.annotations({
  description: "A UUID",
  examples: ["0193a5c2-7f3e-7a11-8d2b-4c5e6f708192"],
});

/** A moment in UTC, written as ISO 8601 with a `Z` suffix. */
export const UtcTime = Schema.Date.annotations({
  description: "ISO 8601 time in UTC with a Z suffix",
  examples: [new Date("2026-10-27T10:32:00.000Z")],
});

/** Rejects strings that are empty or only white space. */
export const nonBlank = <S extends Schema.Schema<string, string, never>>(
  self: S,
) => self.pipe(Schema.filter((value) => value.trim() !== "" || "is empty"));

/** A string of at most `max` characters that is not blank. */
export const boundedText = (max: number) =>
  nonBlank(Schema.String).pipe(
    Schema.filter(
      (value) =>
        value.length <= max ||
        `is longer than ${max} characters (${value.length})`,
    ),
  );

/** Decode options for request bodies: report every problem, not the first. */
export const allErrors = { parseOptions: { errors: "all" } } as const;

/** The caller's id for one of its users. */
export const UserId = boundedText(255).annotations({
  description: "The caller's id for the user, at most 255 characters",
  examples: ["user_12345"],
});

/**
 * A path parameter: plain text in code, percent-encoded in the URL. The
 * typed client encodes it, so ids with `/`, `?` or spaces arrive intact;
 * the router has already decoded it on the server.
 *
 * @param schema The parameter's own rules.
 * @param description What the parameter is, for the docs.
 * @returns The schema to use in `setPath`.
 *
 * @example
 * ```ts
 * Schema.Struct({ user_id: pathParam(UserId, "The user's id") });
 * ```
 */
export const pathParam = <A>(
  schema: Schema.Schema<A, string>,
  description: string,
) =>
  Schema.transform(Schema.String.annotations({ description }), schema, {
    strict: true,
    decode: (text) => text,
    encode: (text) => encodeURIComponent(text),
  });

/** A fixed-length ISO 8601 duration such as `P7D`, in milliseconds. */
export const Duration = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (text, _, ast) => {
    const ms = parseDuration(text);
    return ms === undefined
      ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            text,
            `Expected an ISO 8601 duration in weeks, days, hours, minutes ` +
              `or seconds, such as P7D or PT12H, got "${text}"`,
          ),
        )
      : ParseResult.succeed(ms);
  },
  encode: (ms) => ParseResult.succeed(`PT${ms / 1000}S`),
}).annotations({
  description: "An ISO 8601 duration such as P7D or PT12H",
  examples: [604_800_000],
});

/** A confidence level such as 0.95, read from the query string. */
export const Confidence = Schema.NumberFromString.pipe(
  Schema.filter(
    (value) =>
      (value > 0 && value < 1) ||
      `Expected a confidence between 0 and 1, such as 0.95, got ${value}`,
  ),
).annotations({
  description: "Confidence level of intervals and tests; default 0.95",
  examples: [0.95],
});

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 time as sent by callers: with an offset or `Z`; one without
 * is read as UTC.
 */
export const IsoTime = Schema.transformOrFail(
  Schema.String,
  Schema.DateFromSelf,
  {
    strict: true,
    decode: (text, _, ast) => {
      const trimmed = text.trim();
      const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
      const date = ISO_8601.test(trimmed)
        ? new Date(hasOffset ? trimmed : `${trimmed}Z`)
        : new Date(Number.NaN);
      return Number.isNaN(date.getTime())
        ? ParseResult.fail(
            new ParseResult.Type(
              ast,
              text,
              `Expected an ISO 8601 timestamp, got "${text}"`,
            ),
          )
        : ParseResult.succeed(date);
    },
    encode: (date) => ParseResult.succeed(date.toISOString()),
  },
).annotations({
  description: "ISO 8601 time; with an offset or Z, or else read as UTC",
  examples: [new Date("2026-10-27T10:32:00.000Z")],
});

/** What an attribute name may look like. */
export const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** The name of a user attribute, such as `country`. */
export const AttributeKey = Schema.String.pipe(
  Schema.filter(
    (key) =>
      ATTRIBUTE_KEY.test(key) ||
      `Expected at most 64 letters, digits, "_", "." or "-", got "${key}"`,
  ),
).annotations({ description: "An attribute name", examples: ["country"] });

/** User attributes: at most 20, each a short string, number or boolean. */
export const Attributes = Schema.Record({
  key: Schema.String,
  value: Schema.Union(
    Schema.String.pipe(
      Schema.maxLength(255, { message: () => "is longer than 255 characters" }),
    ),
    Schema.Number,
    Schema.Boolean,
  ),
})
  .pipe(
    Schema.filter((attributes) => {
      const keys = Object.keys(attributes);
      const bad = keys.find((key) => !ATTRIBUTE_KEY.test(key));
      if (bad !== undefined) {
        return (
          `Expected attribute names of at most 64 letters, digits, "_", ` +
          `"." or "-", got "${bad}"`
        );
      }
      return (
        keys.length <= 20 ||
        `Expected at most 20 attributes, got ${keys.length}`
      );
    }),
  )
  .annotations({
    description:
      "Attributes of the user, such as country or plan, for segmenting reports",
    examples: [{ country: "DE", device: "mobile", plan: "pro" }],
  });

/**
 * Checks that a query's `from` is not after its `to`.
 *
 * @param query The decoded query.
 * @returns `true`, or the problem.
 *
 * @example
 * ```ts
 * Schema.Struct({ from, to }).pipe(Schema.filter(windowInOrder));
 * ```
 */
export const windowInOrder = (query: {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}): true | string =>
  query.from === undefined ||
  query.to === undefined ||
  query.from.getTime() <= query.to.getTime() ||
  "Expected from to be at or before to";
