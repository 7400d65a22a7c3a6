/**
 * The assignment listing endpoint group: an experiment's assignments, a
 * page at a time or all at once as NDJSON.
 *
 * @module
 */
import {
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiSchema,
  OpenApi,
} from "@effect/platform";
import { Option, ParseResult, Schema } from "effect";
import { Assignment, EXAMPLE_ASSIGNMENT } from "./assignments.ts";
import { Authentication } from "./auth.ts";
import { allErrors, pathParam } from "./common.ts";
import { InvalidRequest, NotFound, ServiceUnavailable } from "./errors.ts";

/** The most assignments one page holds. */
export const MAX_ASSIGNMENT_PAGE_SIZE = 100;

/** How many assignments a page holds when the caller does not say. */
export const DEFAULT_ASSIGNMENT_PAGE_SIZE = 20;

/** The media type of the export. */
export const NDJSON_MEDIA_TYPE = "application/x-ndjson";

/**
 * Where an assignment sits in the listing order: its assignment time as
 * the database stores it (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC), then its
 * public id.
 */
export interface AssignmentPosition {
  readonly createdAt: string;
  readonly publicId: string;
}

const EXAMPLE_CURSOR =
  "MjAyNi0xMC0yNyAxMDowNTowMC4wMDAwMDAsMDE5M2E1YzMt" +
  "MGExYi03YzJkLTllM2YtNDA1MTYyNzM4NDk1";

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const POSITION = new RegExp(
  String.raw`^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?,(${UUID})$`,
);

const isCalendarTime = (day: string, time: string) => {
  const date = new Date(`${day}T${time}Z`);
  return (
    !Number.isNaN(date.getTime()) &&
    date.toISOString().slice(0, 19) === `${day}T${time}`
  );
};

/**
 * Writes a position as an opaque cursor: base64url text that callers hand
 * back unchanged.
 *
 * @param position The sort key of the last assignment of a page.
 * @returns The cursor.
 *
 * @example
 * ```ts
 * encodeAssignmentCursor({
 *   createdAt: "2026-10-27 10:05:00.000000",
 *   publicId: "0193a5c3-0a1b-7c2d-9e3f-405162738495",
 * }); // "MjAyNi0xMC0yNyAxMDowNTowMC4wMDAwMDAsMDE5M2E1YzMtMGEx..."
 * ```
 */
export function encodeAssignmentCursor(position: AssignmentPosition): string {
  return Buffer.from(`${position.createdAt},${position.publicId}`).toString(
    "base64url",
  );
}

/**
 * Reads a cursor made by {@linkcode encodeAssignmentCursor}.
 *
 * @param cursor The caller's cursor.
 * @returns The position, or none when the text is not such a cursor.
 *
 * @example
 * ```ts
 * decodeAssignmentCursor("not a cursor"); // Option.none()
 * ```
 */
export function decodeAssignmentCursor(
  cursor: string,
): Option.Option<AssignmentPosition> {
  if (!BASE64URL.test(cursor)) return Option.none();

  const match = POSITION.exec(Buffer.from(cursor, "base64url").toString());
  if (match === null) return Option.none();

  const [, day = "", time = "", fraction = "", publicId = ""] = match;
  return isCalendarTime(day, time)
    ? Option.some({ createdAt: `${day} ${time}${fraction}`, publicId })
    : Option.none();
}

const quoted = (text: string) =>
  text.length > 100 ? `"${text.slice(0, 100)}..."` : `"${text}"`;

/** The `limit` query parameter: a whole number from 1 to 100. */
export const AssignmentPageSize = Schema.transformOrFail(
  Schema.String,
  Schema.Int,
  {
    strict: true,
    decode: (text, _, ast) => {
      const size = Number(text);
      return /^\d{1,3}$/.test(text) &&
        size >= 1 &&
        size <= MAX_ASSIGNMENT_PAGE_SIZE
        ? ParseResult.succeed(size)
        : ParseResult.fail(
            new ParseResult.Type(
              ast,
              text,
              `Expected an integer from 1 to ${MAX_ASSIGNMENT_PAGE_SIZE}, got ${quoted(text)}`,
            ),
          );
    },
    encode: (size) => ParseResult.succeed(String(size)),
  },
).annotations({
  description:
    `How many assignments to return, from 1 to ${MAX_ASSIGNMENT_PAGE_SIZE}; ` +
    `default ${DEFAULT_ASSIGNMENT_PAGE_SIZE}`,
  examples: [DEFAULT_ASSIGNMENT_PAGE_SIZE],
});

/**
 * What is wrong with a cursor that {@linkcode decodeAssignmentCursor} rejects.
 *
 * @param text The caller's cursor.
 * @returns The message, quoting (the start of) the cursor.
 *
 * @example
 * ```ts
 * badAssignmentCursor("abc"); // 'Expected the next_cursor of an earlier page, got "abc"'
 * ```
 */
export const badAssignmentCursor = (text: string): string =>
  `Expected the next_cursor of an earlier page, got ${quoted(text)}`;

/** The `cursor` query parameter: a `next_cursor` from an earlier page. */
export const AssignmentPageCursor = Schema.String.annotations({
  description:
    "Where to continue: the next_cursor of the previous page, unchanged; " +
    "leave it out for the first page",
  examples: [EXAMPLE_CURSOR],
}).pipe(
  Schema.filter(
    (text) =>
      Option.isSome(decodeAssignmentCursor(text)) || badAssignmentCursor(text),
  ),
);

/** The query of `GET /experiments/{id}/assignments`. */
export const AssignmentPageQuery = Schema.Struct({
  limit: Schema.optional(AssignmentPageSize),
  cursor: Schema.optional(AssignmentPageCursor),
}).annotations(allErrors);

/** The query of `GET /experiments/{id}/assignments`, decoded. */
export type AssignmentPageQuery = typeof AssignmentPageQuery.Type;

/** One page of an experiment's assignments, oldest first. */
export const AssignmentPage = Schema.Struct({
  items: Schema.Array(Assignment).annotations({
    description:
      "Stored assignments (each has an id and is enrolled) in the order " +
      "they were made, then by id: oldest first",
  }),
  next_cursor: Schema.NullOr(Schema.String).annotations({
    description:
      "Pass it as cursor to get the next page; null on the last page",
  }),
}).annotations({
  identifier: "AssignmentPage",
  examples: [
    {
      items: [EXAMPLE_ASSIGNMENT],
      next_cursor: EXAMPLE_CURSOR,
    },
  ],
});

/** One page of an experiment's assignments. */
export type AssignmentPage = typeof AssignmentPage.Type;

/** The export: one JSON assignment per line. */
export const AssignmentExport = HttpApiSchema.Text({
  contentType: NDJSON_MEDIA_TYPE,
}).annotations({
  description:
    "Newline-delimited JSON: one assignment per line, each with the " +
    "fields of Assignment, oldest first; empty without assignments",
  examples: [
    '{"id":"0193a5c3-0a1b-7c2d-9e3f-405162738495",' +
      '"experiment_id":"0193a5c2-7f3e-7a11-8d2b-4c5e6f708192",' +
      '"variant_id":"0193a5c2-7f3e-7a11-8d2b-4c5e6f708194",' +
      '"variant_name":"treatment","user_id":"user_12345","enrolled":true,' +
      '"created_at":"2026-10-27T10:05:00.000Z",' +
      '"updated_at":"2026-10-27T10:05:00.000Z"}\n',
  ],
});

const ExperimentPath = Schema.Struct({
  experiment_id: pathParam(Schema.String, "The experiment's id"),
});

/** Listing and exporting an experiment's assignments. */
export class AssignmentListingGroup extends HttpApiGroup.make(
  "assignmentListing",
)
  .add(
    HttpApiEndpoint.get("list", "/experiments/:experiment_id/assignments")
      .setPath(ExperimentPath)
      .setUrlParams(AssignmentPageQuery)
      .addSuccess(AssignmentPage)
      .annotateContext(
        OpenApi.annotations({
          summary: "List an experiment's assignments",
          description:
            "Returns the experiment's assignments a page at a time, " +
            "oldest first (by assignment time, then id). Pass the " +
            "answer's next_cursor as cursor to get the next page; it is " +
            "null on the last one. Paging is stable while users are " +
            "being assigned: every assignment that existed when paging " +
            "began appears exactly once, and new ones may appear on later " +
            `pages. limit is 1 to ${MAX_ASSIGNMENT_PAGE_SIZE} (default ` +
            `${DEFAULT_ASSIGNMENT_PAGE_SIZE}); a limit out of range or a cursor that ` +
            "did not come from this endpoint answers 400.",
        }),
      ),
  )
  .add(
    HttpApiEndpoint.get(
      "export",
      "/experiments/:experiment_id/assignments/export",
    )
      .setPath(ExperimentPath)
      .addSuccess(AssignmentExport)
      .annotateContext(
        OpenApi.annotations({
          summary: "Export an experiment's assignments",
          description:
            "Streams every assignment of the experiment as " +
            "newline-delimited JSON (application/x-ndjson), one object " +
            "per line with the same fields as the listing, oldest first, " +
            "as a download named assignments-<experiment_id>.ndjson. The " +
            "server reads the rows in chunks, so any number of them can " +
            "be exported; assignments made during the export may or may " +
            "not be included. A response cut short (a closed connection " +
            "without the final chunk) means the export failed: retry it.",
        }),
      ),
  )
  .addError(InvalidRequest)
  .addError(NotFound)
  .addError(ServiceUnavailable)
  .middleware(Authentication)
  .annotateContext(
    OpenApi.annotations({
      title: "Assignment listing",
      description: "Page through or export an experiment's assignments",
    }),
  ) {}
