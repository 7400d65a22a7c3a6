/**
 * SQL written out with real ids: the queries of
 * src/repositories/analysis_repository.ts that a reader wants to see
 * planned and timed, and the raw-events query the service used before,
 * kept as a baseline. Also `EXPLAIN` and `ANALYZE FORMAT=JSON` of them.
 *
 * @module
 */
import type { Connection } from "mysql2/promise";

/** A statement and its parameters, for `connection.query`. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: ReadonlyArray<string | number>;
}

/** Whose data and which experiment a statement covers. */
export interface ExperimentIds {
  readonly clientId: string;
  readonly experimentKey: number;
}

/**
 * The conversions query the service sent for results before
 * `user_event_types` existed: every event of the experiment's users,
 * joined and counted with `COUNT(DISTINCT ...)`. The service no longer
 * sends it; the benchmark keeps it as a baseline in the same run.
 *
 * @param ids Tenant and experiment.
 * @param eventTypes The `event_type` filter, if any.
 * @returns The statement and its parameters.
 */
export function rawEventsConversionsSql(
  ids: ExperimentIds,
  eventTypes: ReadonlyArray<string> = [],
): SqlStatement {
  const filter =
    eventTypes.length === 0
      ? ""
      : ` AND e.event_type IN (${eventTypes.map(() => "?").join(", ")})`;
  return {
    sql:
      "SELECT a.variant_id AS variantKey, NULL AS segment,\n" +
      "  e.event_type AS eventType,\n" +
      "  CAST(COUNT(DISTINCT CASE\n" +
      "    WHEN e.occurred_at >= a.created_at THEN a.id\n" +
      "  END) AS CHAR) AS converted\n" +
      "FROM assignments a\n" +
      "JOIN events e ON e.client_id = ? AND e.user_id = a.user_id\n" +
      `WHERE a.experiment_id = ?${filter}\n` +
      "GROUP BY a.variant_id, segment, e.event_type",
    params: [ids.clientId, ids.experimentKey, ...eventTypes],
  };
}

/**
 * `conversions` of the analysis repository for results without a window,
 * segment or filter: one row of `user_event_types` per user and type.
 *
 * @param ids Tenant and experiment.
 * @returns The statement and its parameters.
 */
export function summaryConversionsSql(ids: ExperimentIds): SqlStatement {
  return {
    sql:
      "SELECT a.variant_id AS variantKey, NULL AS segment,\n" +
      "  u.event_type AS eventType,\n" +
      "  CAST(SUM(u.last_at >= a.created_at) AS CHAR) AS converted\n" +
      "FROM assignments a\n" +
      "JOIN user_event_types u\n" +
      "  ON u.client_id = ? AND u.user_id = a.user_id\n" +
      "WHERE a.experiment_id = ?\n" +
      "GROUP BY a.variant_id, segment, u.event_type",
    params: [ids.clientId, ids.experimentKey],
  };
}

/**
 * `conversionsPerPeriod` of the analysis repository with day periods and
 * no window, filter or segment, as the dashboard report sends it: per
 * user and type, the first event at or after the assignment. The summary
 * row answers it unless the user's events of the type lie on either side
 * of the assignment; only then is the index of events read.
 *
 * @param ids Tenant and experiment.
 * @returns The statement and its parameters.
 */
export function conversionsPerDaySql(ids: ExperimentIds): SqlStatement {
  return {
    sql:
      "SELECT t.variantKey, t.eventType,\n" +
      "  DATE_FORMAT(t.firstAt, ?) AS period,\n" +
      "  CAST(COUNT(*) AS CHAR) AS count\n" +
      "FROM (\n" +
      "  SELECT a.variant_id AS variantKey, u.event_type AS eventType,\n" +
      "    CASE\n" +
      "      WHEN u.first_at >= a.created_at THEN u.first_at\n" +
      "      WHEN u.last_at < a.created_at THEN NULL\n" +
      "      ELSE (\n" +
      "        SELECT e.occurred_at\n" +
      "        FROM events e\n" +
      "        WHERE e.client_id = ?\n" +
      "          AND e.user_id = a.user_id\n" +
      "          AND e.event_type = u.event_type\n" +
      "          AND e.occurred_at >= a.created_at\n" +
      "        ORDER BY e.occurred_at\n" +
      "        LIMIT 1\n" +
      "      )\n" +
      "    END AS firstAt\n" +
      "  FROM assignments a\n" +
      "  JOIN user_event_types u\n" +
      "    ON u.client_id = ? AND u.user_id = a.user_id\n" +
      "  WHERE a.experiment_id = ?\n" +
      ") t\n" +
      "GROUP BY t.variantKey, t.eventType, period",
    params: [
      "%Y-%m-%dT00:00:00Z",
      ids.clientId,
      ids.clientId,
      ids.experimentKey,
    ],
  };
}

/**
 * `valueTotals` of the analysis repository without a window or segment,
 * for one event type and property: per converted user, the total of the
 * property where it is a JSON number, read from the copies of the
 * events' properties in `event_properties`, then sums per variant.
 *
 * @param ids Tenant and experiment.
 * @param eventType Such as `purchase`.
 * @param property Such as `amount`.
 * @returns The statement and its parameters.
 */
export function valueTotalsSql(
  ids: ExperimentIds,
  eventType: string,
  property: string,
): SqlStatement {
  const path = `$."${property}"`;
  const numericTypes = ["INTEGER", "UNSIGNED INTEGER", "DOUBLE", "DECIMAL"];
  const numericList = numericTypes.map(() => "?").join(",");
  const value = "JSON_EXTRACT(p.properties, ?)";
  const numeric = `JSON_TYPE(${value}) IN (${numericList})`;
  const numericTestParams = [path, ...numericTypes];
  return {
    sql:
      "SELECT t.variantKey, t.segment,\n" +
      "  CAST(SUM(t.total) AS CHAR) AS sum,\n" +
      "  CAST(SUM(t.total * t.total) AS CHAR) AS sumOfSquares,\n" +
      "  CAST(SUM(t.skipped) AS CHAR) AS skipped\n" +
      "FROM (\n" +
      "  SELECT a.variant_id AS variantKey, NULL AS segment,\n" +
      `    SUM(CASE WHEN ${numeric}\n` +
      `      THEN CAST(${value} AS DOUBLE) ELSE 0 END) AS total,\n` +
      `    SUM(CASE WHEN ${value} IS NOT NULL AND NOT (${numeric})\n` +
      "      THEN 1 ELSE 0 END) AS skipped\n" +
      "  FROM assignments a\n" +
      "  JOIN event_properties p\n" +
      "    ON p.client_id = ?\n" +
      "   AND p.event_type = ?\n" +
      "   AND p.user_id = a.user_id\n" +
      "  WHERE a.experiment_id = ?\n" +
      "    AND p.occurred_at >= a.created_at\n" +
      "  GROUP BY a.variant_id, segment, a.id\n" +
      ") t\n" +
      "GROUP BY t.variantKey, t.segment",
    params: [
      ...numericTestParams,
      path,
      path,
      ...numericTestParams,
      ids.clientId,
      eventType,
      ids.experimentKey,
    ],
  };
}

const COLUMNS = [
  "id",
  "select_type",
  "table",
  "type",
  "possible_keys",
  "key",
  "key_len",
  "ref",
  "rows",
  "Extra",
] as const;

/**
 * Runs `EXPLAIN` on a statement and lays the plan out as text.
 *
 * @param connection A connection to the benchmark's database.
 * @param statement The statement and its parameters.
 * @returns One line per plan row, as `column: value` pairs.
 */
export async function explain(
  connection: Connection,
  statement: SqlStatement,
): Promise<string> {
  const [rows] = await connection.query(`EXPLAIN ${statement.sql}`, [
    ...statement.params,
  ]);
  return (rows as ReadonlyArray<Record<string, unknown>>)
    .map((row) =>
      COLUMNS.map((column) => `${column}=${String(row[column] ?? "NULL")}`)
        .join("  ")
        .replace(/(.{1,76})(\s+|$)/g, "$1\n    ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * Runs a statement directly, without the service, to tell the database's
 * share of a request from the service's.
 *
 * @param connection A connection to the benchmark's database.
 * @param statement The statement and its parameters.
 * @returns How many rows it answered.
 */
export async function runStatement(
  connection: Connection,
  statement: SqlStatement,
): Promise<number> {
  const [rows] = await connection.query(statement.sql, [...statement.params]);
  return (rows as ReadonlyArray<unknown>).length;
}

type Json = { readonly [key: string]: unknown };

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null;

const fixed = (value: unknown) =>
  typeof value === "number" ? value.toFixed(0) : String(value ?? "-");

function collectSteps(node: unknown, steps: Array<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectSteps(item, steps);
    return;
  }
  if (!isObject(node)) return;
  const filesort = node.filesort;
  if (isObject(filesort)) {
    steps.push(
      `filesort by ${String(filesort.sort_key)}: ` +
        `${fixed(filesort.r_total_time_ms)} ms, ` +
        `${fixed(filesort.r_output_rows)} rows, ` +
        `${fixed(filesort.r_sort_passes)} merge passes`,
    );
  }
  const table = node.table;
  if (isObject(table)) {
    steps.push(
      `table ${String(table.table_name)} (${String(table.access_type)}` +
        `${table.key === undefined ? "" : ` ${String(table.key)}`}): ` +
        `${fixed(table.r_loops)} loops x ${fixed(table.r_rows)} rows, ` +
        `read ${fixed(table.r_table_time_ms)} ms + other ` +
        `${fixed(table.r_other_time_ms)} ms`,
    );
  }
  for (const value of Object.values(node)) collectSteps(value, steps);
}

/**
 * Runs a statement under MariaDB's `ANALYZE FORMAT=JSON` and lists where
 * its time went: total, sorting, and each table's reads.
 *
 * @param connection A connection to the benchmark's database.
 * @param statement The statement and its parameters.
 * @returns Lines of text, or one line saying the server cannot do it.
 */
export async function analyzeSteps(
  connection: Connection,
  statement: SqlStatement,
): Promise<ReadonlyArray<string>> {
  let text: string;
  try {
    const [rows] = await connection.query(
      `ANALYZE FORMAT=JSON ${statement.sql}`,
      [...statement.params],
    );
    const first = (rows as ReadonlyArray<Json>)[0] ?? {};
    text = String(Object.values(first)[0]);
  } catch (error) {
    return [`ANALYZE FORMAT=JSON is not available here: ${String(error)}`];
  }
  const plan = JSON.parse(text) as Json;
  const block = isObject(plan.query_block) ? plan.query_block : {};
  const steps = [`total ${fixed(block.r_total_time_ms)} ms`];
  collectSteps(block, steps);
  return steps;
}
