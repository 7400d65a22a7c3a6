/**
 * Handlers of the events group.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { Effect } from "effect";
import { CurrentClient } from "../api/auth.ts";
import type { Event } from "../api/events.ts";
import { Api } from "../api/mod.ts";
import {
  type EventRecord,
  EventsRepository,
} from "../repositories/events_repository.ts";

const toEvent = (record: EventRecord): Event => ({
  id: record.publicId,
  user_id: record.userId,
  event_type: record.eventType,
  timestamp: record.occurredAt,
  properties: record.properties,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

/** Implements `POST /events`. */
export const EventsHandlers = HttpApiBuilder.group(Api, "events", (handlers) =>
  Effect.gen(function* () {
    const events = yield* EventsRepository;

    return handlers.handle("record", ({ payload }) =>
      CurrentClient.pipe(
        Effect.flatMap(({ clientId }) => events.insert(clientId, payload)),
        Effect.map(toEvent),
      ),
    );
  }),
);
