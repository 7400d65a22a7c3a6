/**
 * Events in MySQL, and the conversion counts computed from them.
 *
 * @module
 */
import { SqlClient } from "@effect/sql";
import { Effect, Schema } from "effect";
import type { NewEvent } from "../api/events.ts";
import { databaseBoundary, decodeRows, toSqlTime } from "../db/mysql.ts";
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

/**
 * What counts in an analysis: users assigned up to `to`, and events inside
 * `[from, to]` and within `conversionWindowMs` of the user's assignment.
 */
export interface AnalysisWindow {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly conversionWindowMs?: number | undefined;
}

/** Converted users of one variant for one event type. */
export const ConversionCount = Schema.Struct({
  variantKey: Schema.Number,
  eventType: Schema.String,
  converted: Schema.NumberFromString,
});

/** Converted users of one variant for one event type. */
export type ConversionCount = typeof ConversionCount.Type;

/** Reads and writes events. */
export class EventsRepository extends Effect.Service<EventsRepository>()(
  "EventsRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const assignedBy = ({ to }: AnalysisWindow) =>
        to === undefined ? sql`` : sql`AND a.created_at <= ${toSqlTime(to)}`;

      const eventWindow = (window: AnalysisWindow) =>
        sql.and([
          sql`TRUE`,
          ...(window.from === undefined
            ? []
            : [sql`e.occurred_at >= ${toSqlTime(window.from)}`]),
          ...(window.to === undefined
            ? []
            : [sql`e.occurred_at <= ${toSqlTime(window.to)}`]),
          ...(window.conversionWindowMs === undefined
            ? []
            : [
                sql`e.occurred_at <= DATE_ADD(a.created_at,
                  INTERVAL ${window.conversionWindowMs * 1000} MICROSECOND)`,
              ]),
        ]);

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

      /**
       * Per variant and event type, the assigned users with at least one
       * event of that type at or after their assignment. Event types that
       * the experiment's users sent only before their assignment appear
       * with zero conversions.
       */
      const conversions = (
        clientId: string,
        experimentKey: number,
        eventTypes: ReadonlyArray<string> | undefined,
        window: AnalysisWindow,
      ) =>
        sql`
          SELECT a.variant_id AS variantKey, e.event_type AS eventType,
                 CAST(COUNT(DISTINCT CASE
                   WHEN e.occurred_at >= a.created_at
                     AND ${eventWindow(window)}
                   THEN a.id
                 END) AS CHAR) AS converted
          FROM assignments a
          JOIN events e
            ON e.client_id = ${clientId} AND e.user_id = a.user_id
          WHERE a.experiment_id = ${experimentKey}
            ${assignedBy(window)}
            ${
              eventTypes === undefined
                ? sql``
                : sql`AND ${sql.in("e.event_type", eventTypes)}`
            }
          GROUP BY a.variant_id, e.event_type
        `.pipe(
          Effect.flatMap(decodeRows(ConversionCount)),
          databaseBoundary,
          Effect.withSpan("EventsRepository.conversions", {
            attributes: { clientId, experimentKey },
          }),
        );

      return { insert, conversions } as const;
    }),
  },
) {}
