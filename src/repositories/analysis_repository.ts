/**
 * The aggregate queries behind results and reports. Everything is counted
 * by SQL over the indexes; no query runs once per user and no event is
 * loaded into memory.
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

/** New users or new conversions of one variant in one period. */
export const PeriodRow = Schema.Struct({
  variantKey: Schema.Number,
  eventType: Schema.NullOr(Schema.String),
  period: Schema.String,
  count: Count,
});

const PERIOD_FORMAT: Record<Granularity, string> = {
  hour: "%Y-%m-%dT%H:00:00Z",
  day: "%Y-%m-%dT00:00:00Z",
};

const NUMERIC_JSON = ["INTEGER", "UNSIGNED INTEGER", "DOUBLE", "DECIMAL"];

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

      const eventWindow = ({ from, to, conversionWindowMs }: AnalysisWindow) =>
        sql.and([
          sql`e.occurred_at >= a.created_at`,
          ...(from === undefined
            ? []
            : [sql`e.occurred_at >= ${toSqlTime(from)}`]),
          ...(to === undefined ? [] : [sql`e.occurred_at <= ${toSqlTime(to)}`]),
          ...(conversionWindowMs === undefined
            ? []
            : [
                sql`e.occurred_at <= DATE_ADD(a.created_at,
                  INTERVAL ${conversionWindowMs * 1000} MICROSECOND)`,
              ]),
        ]);

      const typeFilterOn = (
        column: string,
        eventTypes: ReadonlyArray<string> | undefined,
      ) =>
        eventTypes === undefined
          ? sql``
          : sql`AND ${sql.in(column, eventTypes)}`;

      const typeFilter = (eventTypes: ReadonlyArray<string> | undefined) =>
        typeFilterOn("e.event_type", eventTypes);

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

      const isUnbounded = ({ from, to, conversionWindowMs }: AnalysisWindow) =>
        from === undefined &&
        to === undefined &&
        conversionWindowMs === undefined;

      /**
       * Without a window, a user converted on a type when the last event of
       * the type came at or after the assignment: one summary row per user
       * and type, so nothing needs `DISTINCT`.
       */
      const summaryConversions = (
        scope: AnalysisScope,
        eventTypes: ReadonlyArray<string> | undefined,
      ) => {
        const types = typeFilterOn("u.event_type", eventTypes);

        return sql`
            SELECT a.variant_id AS variantKey, ${segmentOf(scope)} AS segment,
                   u.event_type AS eventType,
                   CAST(SUM(u.last_at >= a.created_at) AS CHAR) AS converted
            FROM assignments a
            JOIN user_event_types u
              ON u.client_id = ${scope.clientId} AND u.user_id = a.user_id
            WHERE ${userScope(scope)} ${types}
            GROUP BY a.variant_id, segment, u.event_type
          `;
      };

      const eventConversions = (
        scope: AnalysisScope,
        eventTypes: ReadonlyArray<string> | undefined,
      ) => sql`
            SELECT a.variant_id AS variantKey, ${segmentOf(scope)} AS segment,
                   e.event_type AS eventType,
                   CAST(COUNT(DISTINCT CASE
                     WHEN ${eventWindow(scope.window)} THEN a.id
                   END) AS CHAR) AS converted
            FROM assignments a
            JOIN events e
              ON e.client_id = ${scope.clientId} AND e.user_id = a.user_id
            WHERE ${userScope(scope)} ${typeFilter(eventTypes)}
            GROUP BY a.variant_id, segment, e.event_type
          `;

      /**
       * Per variant (and segment) and event type, the users with at least
       * one event of the type inside the window. Types that the users sent
       * only outside it appear with zero conversions. Without a window the
       * counts come from `user_event_types`, otherwise from the events.
       */
      const conversions = (
        scope: AnalysisScope,
        eventTypes: ReadonlyArray<string> | undefined,
      ) =>
        (isUnbounded(scope.window)
          ? summaryConversions(scope, eventTypes)
          : eventConversions(scope, eventTypes)
        ).pipe(
          traced("conversions", scope),
          Effect.flatMap(decodeRows(ConversionRow)),
        );

      /**
       * Per variant (and segment), the sum and the sum of squares of each
       * converted user's total of a numeric property, and how many values
       * were present but not numbers. Users without such events add zero.
       */
      const valueTotals = (
        scope: AnalysisScope,
        eventType: string,
        property: string,
      ) => {
        const value = sql`JSON_EXTRACT(e.properties, ${jsonPath(property)})`;
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
              JOIN events e
                ON e.client_id = ${scope.clientId}
               AND e.user_id = a.user_id
               AND e.event_type = ${eventType}
              WHERE ${userScope(scope)} AND ${eventWindow(scope.window)}
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

      /** Users' first conversions per variant, event type and period. */
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
              SELECT a.variant_id AS variantKey, e.event_type AS eventType,
                     MIN(e.occurred_at) AS firstAt
              FROM assignments a
              JOIN events e
                ON e.client_id = ${scope.clientId} AND e.user_id = a.user_id
              WHERE ${userScope(scope)} AND ${eventWindow(scope.window)}
                ${typeFilter(eventTypes)}
              GROUP BY a.variant_id, a.id, e.event_type
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
