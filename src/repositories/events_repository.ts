/**
 * Events in MySQL.
 *
 * @module
 */
import { SqlClient, type SqlError } from "@effect/sql";
import { Array as Arr, Effect, Option, Order, Schedule, Schema } from "effect";
import {
  type EventPosition,
  type NewEvent,
  Properties,
} from "../api/events.ts";
import {
  databaseBoundary,
  decodeRows,
  errorCode,
  SqlTime,
  toSqlTime,
} from "../db/mysql.ts";
import { uuidV7 } from "../uuid_v7.ts";

/** A stored event. */
export interface EventRecord {
  readonly publicId: string;
  readonly userId: string;
  readonly eventType: string;
  readonly occurredAt: Date;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly eventId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a batch stored. */
export interface BatchOutcome {
  /** Events in the batch. */
  readonly received: number;
  /** Events that were new and are now stored. */
  readonly stored: number;
  /** Events skipped because their `event_id` was already sent. */
  readonly duplicates: number;
}

/** Which of a client's events to list, and from where. */
export interface EventFilter {
  readonly userId?: string | undefined;
  readonly types?: ReadonlyArray<string> | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly limit: number;
  /** Only events after this one in the listing order. */
  readonly after: Option.Option<EventPosition>;
}

/** A page of events, and where the next page starts if there is one. */
export interface EventSlice {
  readonly records: ReadonlyArray<EventRecord>;
  readonly next: Option.Option<EventPosition>;
}

/** Rows per multi-row `INSERT` of a batch. */
const INSERT_CHUNK = 500;

/** MySQL 8 hands JSON columns over parsed; MariaDB as text. */
const StoredProperties = Schema.Union(Properties, Schema.parseJson(Properties));

const Row = Schema.Struct({
  public_id: Schema.String,
  user_id: Schema.String,
  event_type: Schema.String,
  occurred_at: SqlTime,
  properties: StoredProperties,
  event_id: Schema.NullOr(Schema.String),
  created_at: SqlTime,
  updated_at: SqlTime,
});

const PageRow = Schema.Struct({ ...Row.fields, sort_time: Schema.String });

const toRecord = (row: typeof Row.Type): EventRecord => ({
  publicId: row.public_id,
  userId: row.user_id,
  eventType: row.event_type,
  occurredAt: row.occurred_at,
  properties: row.properties,
  eventId: row.event_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const newRecord = (event: NewEvent, now: Date): EventRecord => ({
  publicId: uuidV7(now.getTime()),
  userId: event.user_id,
  eventType: event.type,
  occurredAt: event.timestamp,
  properties: event.properties ?? {},
  eventId: event.event_id ?? null,
  createdAt: now,
  updatedAt: now,
});

const toColumns = (clientId: string, record: EventRecord) => ({
  public_id: record.publicId,
  client_id: clientId,
  event_id: record.eventId,
  user_id: record.userId,
  event_type: record.eventType,
  occurred_at: toSqlTime(record.occurredAt),
  properties: JSON.stringify(record.properties),
  created_at: toSqlTime(record.createdAt),
  updated_at: toSqlTime(record.updatedAt),
});

/**
 * Keeps the first event of each `event_id`; events without one are all
 * kept.
 */
const firstOfEachId = (events: ReadonlyArray<NewEvent>) => {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (event.event_id === undefined) return true;
    if (seen.has(event.event_id)) return false;
    seen.add(event.event_id);
    return true;
  });
};

/** A row of `user_event_types`: a user's first and last event of a type. */
interface SummaryRow {
  readonly userId: string;
  readonly eventType: string;
  readonly firstAt: Date;
  readonly lastAt: Date;
}

const byUserAndType = Order.combine(
  Order.mapInput(Order.string, (row: SummaryRow) => row.userId),
  Order.mapInput(Order.string, (row: SummaryRow) => row.eventType),
);

/**
 * The summary rows of stored events: per user and type, the earliest and
 * the latest time, in key order, so that batches that share rows lock
 * them in one order.
 */
const summarize = (records: ReadonlyArray<EventRecord>) => {
  const rows = new Map<string, SummaryRow>();
  for (const record of records) {
    const key = JSON.stringify([record.userId, record.eventType]);
    const row = rows.get(key);
    const at = record.occurredAt;
    rows.set(key, {
      userId: record.userId,
      eventType: record.eventType,
      firstAt: row === undefined || at < row.firstAt ? at : row.firstAt,
      lastAt: row === undefined || at > row.lastAt ? at : row.lastAt,
    });
  }
  return Arr.sort(rows.values(), byUserAndType);
};

const toSummaryColumns = (clientId: string, row: SummaryRow) => ({
  client_id: clientId,
  user_id: row.userId,
  event_type: row.eventType,
  first_at: toSqlTime(row.firstAt),
  last_at: toSqlTime(row.lastAt),
});

/**
 * The `event_properties` rows of stored events: a copy of the properties
 * of each event that has any.
 */
const propertyColumns = (
  clientId: string,
  records: ReadonlyArray<EventRecord>,
) =>
  records
    .filter((record) => Object.keys(record.properties).length > 0)
    .map((record) => ({
      client_id: clientId,
      event_type: record.eventType,
      user_id: record.userId,
      occurred_at: toSqlTime(record.occurredAt),
      event_public_id: record.publicId,
      properties: JSON.stringify(record.properties),
    }));

const isDuplicate = (error: SqlError.SqlError) =>
  errorCode(error) === "ER_DUP_ENTRY";

const isDeadlock = (error: SqlError.SqlError) =>
  errorCode(error) === "ER_LOCK_DEADLOCK";

/**
 * Batches that share event ids lock them in one order, by id, so they wait
 * for each other rather than deadlock; a deadlock that still happens (on
 * the gaps between ids) is retried after a short, random pause.
 */
const byEventId = Order.mapInput(
  Order.string,
  (record: EventRecord) => record.eventId ?? "",
);

const deadlockRetry = Schedule.exponential("20 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(4)),
);

/** Reads and writes events. */
export class EventsRepository extends Effect.Service<EventsRepository>()(
  "EventsRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const columns = sql`
        public_id, user_id, event_type, occurred_at, properties, event_id,
        created_at, updated_at
      `;

      const findByEventId = (clientId: string, eventId: string) =>
        sql`
          SELECT ${columns}
          FROM events
          WHERE client_id = ${clientId} AND event_id = ${eventId}
        `.pipe(
          Effect.flatMap(decodeRows(Row)),
          Effect.flatMap((rows) =>
            rows[0] === undefined
              ? Effect.dieMessage(
                  `Read event: no event with event_id "${eventId}" after ` +
                    "a duplicate-key error",
                )
              : Effect.succeed(toRecord(rows[0])),
          ),
        );

      /**
       * Records stored events in `user_event_types`: a new row per user and
       * type, or an earlier first or a later last time for a known one.
       */
      const upsertSummary = (
        clientId: string,
        records: ReadonlyArray<EventRecord>,
      ) =>
        Effect.forEach(
          Arr.chunksOf(summarize(records), INSERT_CHUNK),
          (chunk) => sql`
            INSERT INTO user_event_types ${sql.insert(
              chunk.map((row) => toSummaryColumns(clientId, row)),
            )}
            ON DUPLICATE KEY UPDATE
              first_at = LEAST(first_at, VALUES(first_at)),
              last_at = GREATEST(last_at, VALUES(last_at))
          `,
          { discard: true },
        );

      /** Copies the properties of stored events to `event_properties`. */
      const insertProperties = (
        clientId: string,
        records: ReadonlyArray<EventRecord>,
      ) =>
        Effect.forEach(
          Arr.chunksOf(propertyColumns(clientId, records), INSERT_CHUNK),
          (chunk) => sql`INSERT INTO event_properties ${sql.insert(chunk)}`,
          { discard: true },
        );

      /** Everything derived from stored events, in the same transaction. */
      const insertDerived = (
        clientId: string,
        records: ReadonlyArray<EventRecord>,
      ) =>
        Effect.zipRight(
          upsertSummary(clientId, records),
          insertProperties(clientId, records),
        );

      /**
       * Stores one event, with its summary row and its properties' copy,
       * in one transaction.
       * When its `event_id` is already stored for the client, stores
       * nothing and returns the stored event instead.
       */
      const insert = (clientId: string, event: NewEvent) => {
        const record = newRecord(event, new Date());

        return sql`
          INSERT INTO events ${sql.insert(toColumns(clientId, record))}
        `.pipe(
          Effect.zipRight(insertDerived(clientId, [record])),
          sql.withTransaction,
          Effect.retry({ schedule: deadlockRetry, while: isDeadlock }),
          Effect.as(record),
          Effect.catchIf(isDuplicate, (error) =>
            record.eventId === null
              ? Effect.fail(error)
              : findByEventId(clientId, record.eventId),
          ),
          databaseBoundary,
          Effect.withSpan("EventsRepository.insert", {
            attributes: { clientId },
          }),
        );
      };

      const storedIds = (publicIds: ReadonlyArray<string>) =>
        publicIds.length === 0
          ? Effect.succeed(new Set<string>())
          : sql`
              SELECT public_id
              FROM events
              WHERE ${sql.in("public_id", publicIds)}
            `.pipe(
              Effect.flatMap(
                decodeRows(Schema.Struct({ public_id: Schema.String })),
              ),
              Effect.map((rows) => new Set(rows.map((row) => row.public_id))),
            );

      /**
       * Stores a batch in one transaction, with multi-row inserts, and the
       * summary rows and property copies of the events it stored. Events whose
       * `event_id` is already stored for the client, or appears earlier in
       * the batch, are skipped and counted as duplicates.
       */
      const insertBatch = (
        clientId: string,
        events: ReadonlyArray<NewEvent>,
      ) => {
        const now = new Date();
        const records = Arr.sort(
          firstOfEachId(events).map((event) => newRecord(event, now)),
          byEventId,
        );

        return Effect.gen(function* () {
          for (const chunk of Arr.chunksOf(records, INSERT_CHUNK)) {
            yield* sql`
              INSERT INTO events ${sql.insert(
                chunk.map((record) => toColumns(clientId, record)),
              )}
              ON DUPLICATE KEY UPDATE id = id
            `;
          }

          const ids = yield* storedIds(
            records.map((record) => record.publicId),
          );
          const stored = records.filter((record) => ids.has(record.publicId));
          yield* insertDerived(clientId, stored);

          return stored.length;
        }).pipe(
          sql.withTransaction,
          Effect.retry({ schedule: deadlockRetry, while: isDeadlock }),
          Effect.map(
            (stored): BatchOutcome => ({
              received: events.length,
              stored,
              duplicates: events.length - stored,
            }),
          ),
          databaseBoundary,
          Effect.withSpan("EventsRepository.insertBatch", {
            attributes: { clientId, received: events.length },
          }),
        );
      };

      /**
       * Lists a client's events newest first (by time, then public id),
       * one page after `filter.after`.
       */
      const list = (clientId: string, filter: EventFilter) => {
        const conditions = [
          sql`client_id = ${clientId}`,
          ...(filter.userId === undefined
            ? []
            : [sql`user_id = ${filter.userId}`]),
          ...(filter.types === undefined || filter.types.length === 0
            ? []
            : [sql.in("event_type", filter.types)]),
          ...(filter.from === undefined
            ? []
            : [sql`occurred_at >= ${toSqlTime(filter.from)}`]),
          ...(filter.to === undefined
            ? []
            : [sql`occurred_at <= ${toSqlTime(filter.to)}`]),
          ...Option.match(filter.after, {
            onNone: () => [],
            onSome: ({ occurredAt, publicId }) => [
              sql`(occurred_at < ${occurredAt} OR
                (occurred_at = ${occurredAt} AND public_id < ${publicId}))`,
            ],
          }),
        ];
        const limit = Math.trunc(filter.limit);

        return sql`
          SELECT ${columns}, occurred_at AS sort_time
          FROM events
          WHERE ${sql.and(conditions)}
          ORDER BY occurred_at DESC, public_id DESC
          LIMIT ${sql.literal(String(limit + 1))}
        `.pipe(
          Effect.flatMap(decodeRows(PageRow)),
          Effect.map((rows): EventSlice => {
            const page = rows.slice(0, limit);
            const last = page[page.length - 1];
            return {
              records: page.map(toRecord),
              next:
                rows.length > limit && last !== undefined
                  ? Option.some({
                      occurredAt: last.sort_time,
                      publicId: last.public_id,
                    })
                  : Option.none(),
            };
          }),
          databaseBoundary,
          Effect.withSpan("EventsRepository.list", {
            attributes: { clientId, limit },
          }),
        );
      };

      return { insert, insertBatch, list } as const;
    }),
  },
) {}
