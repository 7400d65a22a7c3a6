/**
 * The events endpoint group: recording what users did.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { ParseResult, Schema } from "effect";
import { Authentication } from "./auth.ts";
import { allErrors, boundedText, PublicId, UserId, UtcTime } from "./common.ts";
import { InvalidRequest, ServiceUnavailable } from "./errors.ts";

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 time as sent by callers: with an offset or `Z`; one without
 * is read as UTC.
 */
export const EventTime = Schema.transformOrFail(
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

/** Event properties: a JSON object. */
export const Properties = Schema.Record({
  key: Schema.String,
  value: Schema.Unknown,
}).annotations({
  description: "Any JSON object",
  examples: [{ page: "checkout", amount: 42 }],
});

/** The body of `POST /events`. */
export const NewEvent = Schema.Struct({
  user_id: UserId,
  type: boundedText(100).annotations({
    description: "The event type, at most 100 characters",
    examples: ["purchase"],
  }),
  timestamp: EventTime,
  properties: Schema.optional(Properties),
}).annotations({ ...allErrors, identifier: "NewEvent" });

/** The body of `POST /events`, decoded. */
export type NewEvent = typeof NewEvent.Type;

/** A stored event. */
export const Event = Schema.Struct({
  id: PublicId,
  user_id: Schema.String,
  event_type: Schema.String,
  timestamp: UtcTime.annotations({ description: "When it happened, in UTC" }),
  properties: Properties,
  created_at: UtcTime,
  updated_at: UtcTime,
}).annotations({
  identifier: "Event",
  examples: [
    {
      id: "0193a5c4-1b2c-7d3e-8f40-516273849506",
      user_id: "user_12345",
      event_type: "purchase",
      timestamp: new Date("2026-10-27T10:32:00.000Z"),
      properties: { page: "checkout", amount: 42 },
      created_at: new Date("2026-10-27T10:32:01.000Z"),
      updated_at: new Date("2026-10-27T10:32:01.000Z"),
    },
  ],
});

/** A stored event. */
export type Event = typeof Event.Type;

/** Recording events. */
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
            "means the event is durably stored.",
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
