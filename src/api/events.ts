/**
 * The events endpoint group: recording what users did.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
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

/** Event properties: a JSON object. */
export const Properties = Schema.Record({
  key: Schema.String,
  value: Schema.Unknown,
}).annotations({
  title: "a JSON object",
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
  timestamp: IsoTime,
  properties: Schema.optional(Properties),
}).annotations({
  ...allErrors,
  identifier: "NewEvent",
  examples: [
    {
      user_id: "user_12345",
      type: "purchase",
      timestamp: new Date("2026-10-27T10:32:00.000Z"),
      properties: { page: "checkout", amount: 42 },
    },
  ],
});

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
