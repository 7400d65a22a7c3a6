/**
 * Schemas shared by several endpoint groups.
 *
 * @module
 */
import { Schema } from "effect";

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
