/**
 * The aggregate queries behind results and reports. Everything is counted
 * by SQL over the indexes; no query runs once per user and no event is
 * loaded into memory. Conversions come from `user_event_types` (a user's
 * first and last event of each type) and values from `event_properties`
 * (the events' properties, kept by event type). The events are read only
 * for a user whose first and last events of a type lie on either side of
 * a window's bound, through their index.
 *
 * @module
 */
import { SqlClient, type Statement } from "@effect/sql";
import { Effect, Schema } from "effect";
import { databaseBoundary, decodeRows, toSqlTime } from "../db/mysql.ts";

/**
 * What counts in an analysis: users assigned up to `to`, and events inside
 * `[from, to]` and within `conversionWindowMs` of the user's assignment.
 */
export interface AnalysisWindow {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly conversionWindowMs?: number | undefined;
}

/** Whose data, which users and which events an analysis covers. */
export interface AnalysisScope {
  readonly clientId: string;
  readonly experimentKey: number;
  readonly window: AnalysisWindow;
  /** Only users whose attributes have these values. */
  readonly filters: ReadonlyArray<readonly [string, string]>;
  /** Group users by this attribute's value. */
  readonly segmentBy?: string | undefined;
}

/** A time bucket for time series. */
export type Granularity = "hour" | "day";

const Count = Schema.NumberFromString;
const Segment = Schema.NullOr(Schema.String);

/** Assigned users of one variant (and segment). */
export const UserCountRow = Schema.Struct({
  variantKey: Schema.Number,
  segment: Segment,
  users: Count,
});

/** Converted users of one variant (and segment) for one event type. */
export const ConversionRow = Schema.Struct({
  variantKey: Schema.Number,
  segment: Segment,
  eventType: Schema.String,
  converted: Count,
});

/** Per-user totals of a numeric property for one variant (and segment). */
export const ValueRow = Schema.Struct({
  variantKey: Schema.Number,
  segment: Segment,
  sum: Count,
  sumOfSquares: Count,
  skipped: Count,
});

/**
 * New users or new conversions of one variant in one period; a `null`
 * period counts users of the type who did not convert inside the window.
 */
export const PeriodRow = Schema.Struct({
  variantKey: Schema.Number,
  eventType: Schema.NullOr(Schema.String),
  period: Schema.NullOr(Schema.String),
  count: Count,
});

const NUMERIC_JSON = ["INTEGER", "UNSIGNED INTEGER", "DOUBLE", "DECIMAL"];

const PERIOD_FORMAT: Record<Granularity, string> = {
  hour: "%Y-%m-%dT%H:00:00Z",
  day: "%Y-%m-%dT00:00:00Z",
};

/** Aggregates over assignments and events. */
export class AnalysisRepository extends Effect.Service<AnalysisRepository>()(
  "AnalysisRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const jsonPath = (key: string) => `$."${key}"`;

      const attribute = (key: string) =>
        sql`JSON_UNQUOTE(JSON_EXTRACT(a.attributes, ${jsonPath(key)}))`;

      const segmentOf = (scope: AnalysisScope) =>
        scope.segmentBy === undefined ? sql`NULL` : attribute(scope.segmentBy);

      const userScope = (scope: AnalysisScope): Statement.Fragment =>
        sql.and([
          sql`a.experiment_id = ${scope.experimentKey}`,
          ...(scope.window.to === undefined
            ? []
            : [sql`a.created_at <= ${toSqlTime(scope.window.to)}`]),
          ...scope.filters.map(
            ([key, value]) => sql`${attribute(key)} = ${value}`,
          ),
        ]);

      /**
       * The first and last moment of the events that count for an assigned
       * user `a`, as SQL: from the later of the assignment and `from`, to
       * the earlier of `to` and the end of the conversion window. Without
       * `to` or a conversion window, the upper bound is `undefined`.
       */
      const eventBounds = ({
        from,
        to,
        conversionWindowMs,
      }: AnalysisWindow) => {
        const assigned = sql`a.created_at`;
        const time = (date: Date) =>
          sql`CAST(${toSqlTime(date)} AS DATETIME(6))`;
        const lower =
          from === undefined
            ? assigned
            : sql`GREATEST(${assigned}, ${time(from)})`;
        const uppers = [
          ...(to === undefined ? [] : [time(to)]),
          ...(conversionWindowMs === undefined
            ? []
            : [
                sql`DATE_ADD(${assigned},
                  INTERVAL ${conversionWindowMs * 1000} MICROSECOND)`,
              ]),
        ];
        const upper =
          uppers.length < 2 ? uppers[0] : sql`LEAST(${sql.csv(uppers)})`;
        return { lower, upper };
      };

      /** `AND time <= upper`, or nothing without an upper bound. */
      const notAfter = (
        time: Statement.Fragment,
        upper: Statement.Fragment | undefined,
      ) => (upper === undefined ? sql`` : sql`AND ${time} <= ${upper}`);

      /** The user's events of the summary row's type, for a look-up. */
      const eventsOfSummaryRow = (scope: AnalysisScope) => sql`
        FROM events e
        WHERE e.client_id = ${scope.clientId}
          AND e.user_id = a.user_id
          AND e.event_type = u.event_type
      `;

      /**
       * Whether the user of a summary row has an event of its type between
       * the bounds. The first and last times answer it, unless they lie
       * on either side of the bounds: only then is the index of events
       * read, for that user and type.
       */
      const convertedInWindow = (scope: AnalysisScope) => {
        const { lower, upper } = eventBounds(scope.window);
        if (upper === undefined) return sql`u.last_at >= ${lower}`;

        return sql`CASE
          WHEN u.last_at < ${lower} OR u.first_at > ${upper} THEN 0
          WHEN u.first_at >= ${lower} OR u.last_at <= ${upper} THEN 1
          ELSE EXISTS (
            SELECT 1 ${eventsOfSummaryRow(scope)}
              AND e.occurred_at BETWEEN ${lower} AND ${upper}
          )
        END`;
      };

      /**
       * The time of a summary row's first event inside the bounds; `NULL`
       * when there is none. The first and last times answer it, unless
       * they lie on either side of the lower bound. The look-up takes the
       * first index entry (`ORDER BY ... LIMIT 1`): with `MIN`, MariaDB
       * reads every later entry of the user and type.
       */
      const firstInWindow = (scope: AnalysisScope) => {
        const { lower, upper } = eventBounds(scope.window);
        const ifNotAfter = (time: Statement.Fragment) =>
          upper === undefined
            ? time
            : sql`CASE WHEN ${time} <= ${upper} THEN ${time} END`;

        return sql`CASE
          WHEN u.first_at >= ${lower} THEN ${ifNotAfter(sql`u.first_at`)}
          WHEN u.last_at < ${lower} THEN NULL
          ELSE (
            SELECT e.occurred_at ${eventsOfSummaryRow(scope)}
              AND e.occurred_at >= ${lower}
              ${notAfter(sql`e.occurred_at`, upper)}
            ORDER BY e.occurred_at
            LIMIT 1
          )
        END`;
      };

      const typeFilter = (eventTypes: ReadonlyArray<string> | undefined) =>
        eventTypes === undefined
          ? sql``
          : sql`AND ${sql.in("u.event_type", eventTypes)}`;

      const traced =
        (name: string, scope: AnalysisScope) =>
        <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          databaseBoundary(effect).pipe(
            Effect.withSpan(`AnalysisRepository.${name}`, {
              attributes: {
                clientId: scope.clientId,
                experimentKey: scope.experimentKey,
              },
            }),
          );

      /** Assigned users per variant (and segment). */
      const userCounts = (scope: AnalysisScope) =>
        sql`
            SELECT a.variant_id AS variantKey, ${segmentOf(scope)} AS segment,
                   CAST(COUNT(*) AS CHAR) AS users
            FROM assignments a
            WHERE ${userScope(scope)}
            GROUP BY a.variant_id, segment
          `.pipe(
          traced("userCounts", scope),
          Effect.flatMap(decodeRows(UserCountRow)),
        );

      /**
       * Per variant (and segment) and event type, the users with at least
       * one event of the type inside the window. Types that the users sent
       * only outside it appear with zero conversions. The counts come from
       * `user_event_types`, one row per user and type, so nothing needs
       * `DISTINCT`.
       */
      const conversions = (
        scope: AnalysisScope,
        eventTypes: ReadonlyArray<string> | undefined,
      ) =>
        sql`
            SELECT a.variant_id AS variantKey, ${segmentOf(scope)} AS segment,
                   u.event_type AS eventType,
                   CAST(SUM(${convertedInWindow(scope)}) AS CHAR) AS converted
            FROM assignments a
            JOIN user_event_types u
              ON u.client_id = ${scope.clientId} AND u.user_id = a.user_id
            WHERE ${userScope(scope)} ${typeFilter(eventTypes)}
            GROUP BY a.variant_id, segment, u.event_type
          `.pipe(
          traced("conversions", scope),
          Effect.flatMap(decodeRows(ConversionRow)),
        );

      /**
       * Per variant (and segment), the sum and the sum of squares of each
       * converted user's total of a numeric property, and how many values
       * were present but not numbers. Users without such events add zero.
       * The properties come from `event_properties`, where the events of
       * one type lie together, rather than from the events.
       */
      const valueTotals = (
        scope: AnalysisScope,
        eventType: string,
        property: string,
      ) => {
        const { lower, upper } = eventBounds(scope.window);
        const value = sql`JSON_EXTRACT(p.properties, ${jsonPath(property)})`;
        const numeric = sql`JSON_TYPE(${value}) IN ${sql.in(NUMERIC_JSON)}`;

        return sql`
            SELECT t.variantKey, t.segment,
                   CAST(SUM(t.total) AS CHAR) AS sum,
                   CAST(SUM(t.total * t.total) AS CHAR) AS sumOfSquares,
                   CAST(SUM(t.skipped) AS CHAR) AS skipped
            FROM (
              SELECT a.variant_id AS variantKey,
                     ${segmentOf(scope)} AS segment,
                     SUM(CASE WHEN ${numeric}
                       THEN CAST(${value} AS DOUBLE) ELSE 0 END) AS total,
                     SUM(CASE WHEN ${value} IS NOT NULL AND NOT (${numeric})
                       THEN 1 ELSE 0 END) AS skipped
              FROM assignments a
              JOIN event_properties p
                ON p.client_id = ${scope.clientId}
               AND p.event_type = ${eventType}
               AND p.user_id = a.user_id
              WHERE ${userScope(scope)}
                AND p.occurred_at >= ${lower}
                ${notAfter(sql`p.occurred_at`, upper)}
              GROUP BY a.variant_id, segment, a.id
            ) t
            GROUP BY t.variantKey, t.segment
          `.pipe(
          traced("valueTotals", scope),
          Effect.flatMap(decodeRows(ValueRow)),
        );
      };

      /** New assigned users per variant and period. */
      const usersPerPeriod = (scope: AnalysisScope, granularity: Granularity) =>
        sql`
            SELECT a.variant_id AS variantKey, NULL AS eventType,
                   DATE_FORMAT(a.created_at, ${PERIOD_FORMAT[granularity]})
                     AS period,
                   CAST(COUNT(*) AS CHAR) AS count
            FROM assignments a
            WHERE ${userScope(scope)}
            GROUP BY a.variant_id, period
          `.pipe(
          traced("usersPerPeriod", scope),
          Effect.flatMap(decodeRows(PeriodRow)),
        );

      /**
       * Users' first conversions per variant, event type and period: per
       * user and type, the first event inside the window. Users of a type
       * without one count in a `NULL` period, so that the rows hold every
       * type the users sent, as `conversions` does. The derived table's
       * expression is referenced once: MariaDB merges the table into the
       * outer query and would evaluate it once per reference.
       */
      const conversionsPerPeriod = (
        scope: AnalysisScope,
        eventTypes: ReadonlyArray<string> | undefined,
        granularity: Granularity,
      ) =>
        sql`
            SELECT t.variantKey, t.eventType,
                   DATE_FORMAT(t.firstAt, ${PERIOD_FORMAT[granularity]})
                     AS period,
                   CAST(COUNT(*) AS CHAR) AS count
            FROM (
              SELECT a.variant_id AS variantKey, u.event_type AS eventType,
                     ${firstInWindow(scope)} AS firstAt
              FROM assignments a
              JOIN user_event_types u
                ON u.client_id = ${scope.clientId} AND u.user_id = a.user_id
              WHERE ${userScope(scope)} ${typeFilter(eventTypes)}
            ) t
            GROUP BY t.variantKey, t.eventType, period
          `.pipe(
          traced("conversionsPerPeriod", scope),
          Effect.flatMap(decodeRows(PeriodRow)),
        );

      return {
        userCounts,
        conversions,
        valueTotals,
        usersPerPeriod,
        conversionsPerPeriod,
      } as const;
    }),
  },
) {}
