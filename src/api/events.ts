/**
 * The events endpoint group: recording what users did, one event or a
 * batch at a time, and reading them back.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Option, ParseResult, Schema } from "effect";
import { Authentication } from "./auth.ts";
import {
  allErrors,
  boundedText,
  IsoTime,
  PublicId,
  UserId,
  UtcTime,
} from "./common.ts";
import { InvalidRequest, ServiceUnavailable } from "./errors.ts";

/** The most events one batch may carry. */
export const MAX_BATCH_EVENTS = 1000;

/** The most events one page of `GET /events` holds. */
export const MAX_EVENT_PAGE_SIZE = 100;

/** How many events a page holds when the caller does not say. */
export const DEFAULT_EVENT_PAGE_SIZE = 20;

/** Event properties: a JSON object. */
export const Properties = Schema.Record({
  key: Schema.String,
  value: Schema.Unknown,
}).annotations({
  title: "a JSON object",
  description: "Any JSON object",
  examples: [{ page: "checkout", amount: 42 }],
});

/** An event type such as `purchase`. */
export const EventType = boundedText(100).annotations({
  description: "The event type, at most 100 characters",
  examples: ["purchase"],
  jsonSchema: { minLength: 1, maxLength: 100 },
});

/** The caller's own id for an event, which makes retries safe. */
export const EventId = boundedText(255).annotations({
  description:
    "The caller's own id for the event, at most 255 characters. An event " +
    "whose event_id this client already sent is not stored again, so " +
    "retries are safe",
  examples: ["order-7781-paid"],
  jsonSchema: { minLength: 1, maxLength: 255 },
});

/** The body of `POST /events`, and one event of a batch. */
export const NewEvent = Schema.Struct({
  user_id: UserId,
  type: EventType,
  timestamp: IsoTime,
  properties: Schema.optional(Properties),
  event_id: Schema.optional(EventId),
}).annotations({
  ...allErrors,
  identifier: "NewEvent",
  examples: [
    {
      user_id: "user_12345",
      type: "purchase",
      timestamp: new Date("2026-10-27T10:32:00.000Z"),
      properties: { page: "checkout", amount: 42 },
      event_id: "order-7781-paid",
    },
  ],
});

/** The body of `POST /events`, decoded. */
export type NewEvent = typeof NewEvent.Type;

const EXAMPLE_EVENT = {
  id: "0193a5c4-1b2c-7d3e-8f40-516273849506",
  user_id: "user_12345",
  event_type: "purchase",
  timestamp: new Date("2026-10-27T10:32:00.000Z"),
  properties: { page: "checkout", amount: 42 },
  event_id: "order-7781-paid",
  created_at: new Date("2026-10-27T10:32:01.000Z"),
  updated_at: new Date("2026-10-27T10:32:01.000Z"),
};

/** A stored event. */
export const Event = Schema.Struct({
  id: PublicId,
  user_id: Schema.String,
  event_type: Schema.String,
  timestamp: UtcTime.annotations({ description: "When it happened, in UTC" }),
  properties: Properties,
  event_id: Schema.NullOr(Schema.String).annotations({
    description: "The caller's own id for the event; null when none was sent",
  }),
  created_at: UtcTime,
  updated_at: UtcTime,
}).annotations({
  identifier: "Event",
  examples: [EXAMPLE_EVENT],
});

/** A stored event. */
export type Event = typeof Event.Type;

const countOf = (issue: ParseResult.ParseIssue) =>
  Array.isArray(issue.actual) ? issue.actual.length : 0;

const batchOf = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Array(item).pipe(
    Schema.minItems(1, {
      message: () => "Expected at least 1 event, got an empty list",
    }),
    Schema.maxItems(MAX_BATCH_EVENTS, {
      message: (issue) =>
        `Expected at most ${MAX_BATCH_EVENTS} events, got ${countOf(issue)}`,
    }),
  );

/** The body of `POST /events/batch`. */
export const NewEventBatch = Schema.Struct({
  events: batchOf(NewEvent).annotations({
    title: "events",
    description:
      `From 1 to ${MAX_BATCH_EVENTS} events, each as the body of ` +
      "POST /events",
  }),
}).annotations({
  ...allErrors,
  identifier: "NewEventBatch",
  examples: [
    {
      events: [
        {
          user_id: "user_12345",
          type: "view",
          timestamp: new Date("2026-10-27T10:30:00.000Z"),
          event_id: "view-5512",
        },
        {
          user_id: "user_12345",
          type: "purchase",
          timestamp: new Date("2026-10-27T10:32:00.000Z"),
          properties: { amount: 42 },
          event_id: "order-7781-paid",
        },
      ],
    },
  ],
});

/** The body of `POST /events/batch`, decoded. */
export type NewEventBatch = typeof NewEventBatch.Type;

/**
 * The body of `POST /events/batch` with its events not yet decoded, so that
 * the server can report every invalid event by its index.
 */
export const UncheckedEventBatch = Schema.Struct({
  events: batchOf(Schema.Unknown),
}).annotations({ ...allErrors, identifier: "NewEventBatch" });

/** What a batch stored. */
export const EventBatchReceipt = Schema.Struct({
  received: Schema.Number.annotations({
    description: "How many events the batch carried",
  }),
  stored: Schema.Number.annotations({
    description: "How many of them were new and are now stored",
  }),
  duplicates: Schema.Number.annotations({
    description:
      "How many were not stored because their event_id was already sent, " +
      "earlier in the batch or before it",
  }),
}).annotations({
  identifier: "EventBatchReceipt",
  examples: [{ received: 2, stored: 1, duplicates: 1 }],
});

/** What a batch stored. */
export type EventBatchReceipt = typeof EventBatchReceipt.Type;

/**
 * Where an event sits in the listing order: its time as the database
 * stores it (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC), then its public id.
 */
export interface EventPosition {
  readonly occurredAt: string;
  readonly publicId: string;
}

const DATABASE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isDatabaseTime = (text: string) => {
  const match = DATABASE_TIME.exec(text);
  if (match === null) return false;

  const [, day, time] = match;
  const date = new Date(`${day}T${time}Z`);
  return (
    !Number.isNaN(date.getTime()) &&
    date.toISOString().slice(0, 19) === `${day}T${time}`
  );
};

const CursorText = Schema.compose(
  Schema.StringFromBase64Url,
  Schema.parseJson(
    Schema.Tuple(
      Schema.String.pipe(Schema.filter(isDatabaseTime)),
      Schema.String.pipe(Schema.pattern(UUID)),
    ),
  ),
);

/**
 * Writes a position as an opaque cursor: base64url text that callers hand
 * back unchanged.
 *
 * @param position The sort key of the last event of a page.
 * @returns The cursor.
 *
 * @example
 * ```ts
 * encodeEventCursor({
 *   occurredAt: "2026-10-27 10:32:00.000000",
 *   publicId: "0193a5c4-1b2c-7d3e-8f40-516273849506",
 * }); // "WyIyMDI2LTEwLTI3IDEwOjMyOjAwLjAwMDAwMCIsIjAxOTNhNWM0..."
 * ```
 */
export function encodeEventCursor(position: EventPosition): string {
  return Schema.encodeSync(CursorText)([
    position.occurredAt,
    position.publicId,
  ]);
}

/**
 * Reads a cursor made by {@linkcode encodeEventCursor}.
 *
 * @param cursor The caller's cursor.
 * @returns The position, or none when the text is not such a cursor.
 *
 * @example
 * ```ts
 * decodeEventCursor("not a cursor"); // Option.none()
 * ```
 */
export function decodeEventCursor(
  cursor: string,
): Option.Option<EventPosition> {
  return Schema.decodeUnknownOption(CursorText)(cursor).pipe(
    Option.map(([occurredAt, publicId]) => ({ occurredAt, publicId })),
  );
}

const EXAMPLE_CURSOR = encodeEventCursor({
  occurredAt: "2026-10-27 10:32:00.000000",
  publicId: "0193a5c4-1b2c-7d3e-8f40-516273849506",
});

const quoted = (text: string) =>
  JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}...` : text);

/** The `limit` of `GET /events`: a whole number from 1 to 100. */
export const EventPageSize = Schema.transformOrFail(Schema.String, Schema.Int, {
  strict: true,
  decode: (text, _, ast) => {
    const size = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
    return size >= 1 && size <= MAX_EVENT_PAGE_SIZE
      ? ParseResult.succeed(size)
      : ParseResult.fail(
          new ParseResult.Type(
            ast,
            text,
            `Expected an integer from 1 to ${MAX_EVENT_PAGE_SIZE}, ` +
              `got ${quoted(text)}`,
          ),
        );
  },
  encode: (size) => ParseResult.succeed(String(size)),
}).annotations({
  description:
    `How many events to return, from 1 to ${MAX_EVENT_PAGE_SIZE}; ` +
    `default ${DEFAULT_EVENT_PAGE_SIZE}`,
  examples: [DEFAULT_EVENT_PAGE_SIZE],
});

/** The `cursor` of `GET /events`: a `next_cursor` from an earlier page. */
export const EventCursor = Schema.String.pipe(
  Schema.filter(
    (text) =>
      Option.isSome(decodeEventCursor(text)) ||
      `Expected the next_cursor of an earlier page, got ${quoted(text)}`,
  ),
).annotations({
  description:
    "Where to continue: the next_cursor of the previous page, unchanged; " +
    "leave it out for the first page",
  examples: [EXAMPLE_CURSOR],
  jsonSchema: {},
});

const rangeInOrder = (query: {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}) =>
  query.from === undefined ||
  query.to === undefined ||
  query.from.getTime() <= query.to.getTime() ||
  `Expected from to be at or before to, got from ` +
    `${query.from.toISOString()} and to ${query.to.toISOString()}`;

/** The query of `GET /events`. */
export const EventsQuery = Schema.Struct({
  user_id: Schema.optional(
    UserId.annotations({
      description: "Only this user's events",
      jsonSchema: { minLength: 1, maxLength: 255 },
    }),
  ),
  type: Schema.optional(
    Schema.Array(EventType).annotations({
      description: "Only events of these types (repeatable)",
    }),
  ),
  from: Schema.optional(
    IsoTime.annotations({
      description: "Only events whose timestamp is at or after this time",
    }),
  ),
  to: Schema.optional(
    IsoTime.annotations({
      description: "Only events whose timestamp is at or before this time",
    }),
  ),
  limit: Schema.optional(EventPageSize),
  cursor: Schema.optional(EventCursor),
})
  .annotations(allErrors)
  .pipe(Schema.filter(rangeInOrder));

/** The query of `GET /events`, decoded. */
export type EventsQuery = typeof EventsQuery.Type;

/** One page of a client's events, newest first. */
export const EventPage = Schema.Struct({
  items: Schema.Array(Event).annotations({
    description: "Events by timestamp (then by id), newest first",
  }),
  next_cursor: Schema.NullOr(Schema.String).annotations({
    description:
      "Pass it as cursor to get the next page; null on the last page",
  }),
}).annotations({
  identifier: "EventPage",
  examples: [
    {
      items: [EXAMPLE_EVENT],
      next_cursor: EXAMPLE_CURSOR,
    },
  ],
});

/** One page of a client's events. */
export type EventPage = typeof EventPage.Type;

/** Recording and reading events. */
export class EventsGroup extends HttpApiGroup.make("events")
  .add(
    HttpApiEndpoint.post("record", "/events")
      .setPayload(NewEvent)
      .addSuccess(Event, { status: 201 })
      .annotateContext(
        OpenApi.annotations({
          summary: "Record an event",
          description:
            "Stores one event of a user. It belongs to the client, not to " +
            "an experiment: it counts for every experiment the user is " +
            "assigned to, if it happened at or after the assignment. A 201 " +
            "means the event is durably stored. With an event_id that " +
            "this client already sent, nothing is stored and the answer is " +
            "the event stored the first time (a 201 with the same id and " +
            "fields), so a retry is safe even when the first attempt's " +
            "answer was lost.",
        }),
      ),
  )
  .add(
    HttpApiEndpoint.post("recordBatch", "/events/batch")
      .setPayload(NewEventBatch)
      .addSuccess(EventBatchReceipt, { status: 201 })
      .annotateContext(
        OpenApi.annotations({
          summary: "Record a batch of events",
          description:
            `Stores from 1 to ${MAX_BATCH_EVENTS} events, each as the ` +
            "body of POST /events, in one transaction: all of them or " +
            "none. The batch is checked as a whole: if any event is " +
            "invalid, the answer is a 400 whose errors list every " +
            "invalid event by its index (from 0) with its problem, and " +
            "nothing is stored. An event whose event_id this client " +
            "already sent, or that appears earlier in the same batch, is " +
            "not stored again; the answer counts the events received, " +
            "stored and skipped as duplicates.",
        }),
      ),
  )
  .add(
    HttpApiEndpoint.get("list", "/events")
      .setUrlParams(EventsQuery)
      .addSuccess(EventPage)
      .annotateContext(
        OpenApi.annotations({
          summary: "List events",
          description:
            "Returns the client's events a page at a time, newest first " +
            "(by timestamp, then id), optionally only one user's, only " +
            "some types (type is repeatable) or only those with a " +
            "timestamp from from to to (both inclusive). Pass the " +
            "answer's next_cursor as cursor, with the same filters, to " +
            "get the next page; it is null on the last one. Paging is " +
            "stable while events are being recorded: every event that " +
            "existed when paging began appears exactly once. limit is 1 " +
            `to ${MAX_EVENT_PAGE_SIZE} (default ` +
            `${DEFAULT_EVENT_PAGE_SIZE}); a limit out of range, a cursor ` +
            "that did not come from this endpoint, or from after to " +
            "answers 400.",
        }),
      ),
  )
  .addError(InvalidRequest)
  .addError(ServiceUnavailable)
  .middleware(Authentication)
  .annotateContext(
    OpenApi.annotations({
      title: "Events",
      description: "What users did",
    }),
  ) {}
