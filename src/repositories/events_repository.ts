/**
 * Events in MySQL.
 *
 * @module
 */
import { SqlClient } from "@effect/sql";
import { Effect } from "effect";
import type { NewEvent } from "../api/events.ts";
import { databaseBoundary, toSqlTime } from "../db/mysql.ts";
import { uuidV7 } from "../uuid_v7.ts";

/** A stored event. */
export interface EventRecord {
  readonly publicId: string;
  readonly userId: string;
  readonly eventType: string;
  readonly occurredAt: Date;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Reads and writes events. */
export class EventsRepository extends Effect.Service<EventsRepository>()(
  "EventsRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const insert = (clientId: string, event: NewEvent) => {
        const now = new Date();
        const record: EventRecord = {
          publicId: uuidV7(now.getTime()),
          userId: event.user_id,
          eventType: event.type,
          occurredAt: event.timestamp,
          properties: event.properties ?? {},
          createdAt: now,
          updatedAt: now,
        };

        return sql`
          INSERT INTO events ${sql.insert({
            public_id: record.publicId,
            client_id: clientId,
            user_id: record.userId,
            event_type: record.eventType,
            occurred_at: toSqlTime(record.occurredAt),
            properties: JSON.stringify(record.properties),
            created_at: toSqlTime(now),
            updated_at: toSqlTime(now),
          })}
        `.pipe(
          Effect.as(record),
          databaseBoundary,
          Effect.withSpan("EventsRepository.insert", {
            attributes: { clientId },
          }),
        );
      };

      return { insert } as const;
    }),
  },
) {}
