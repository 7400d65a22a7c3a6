/**
 * The conversions query of `AnalysisRepository.conversions`, written out
 * with real ids, to show its plan and to time it without the service.
 *
 * @module
 */
import type { Connection } from "mysql2/promise";

/** The query's parameters. */
export interface ConversionsQuery {
  readonly clientId: string;
  readonly experimentKey: number;
  /** The `event_type` filter, if any. */
  readonly eventTypes?: ReadonlyArray<string>;
}

/**
 * The SQL the service sends for results without a time window, segment or
 * attribute filter: the shape of `conversions` in
 * src/repositories/analysis_repository.ts.
 *
 * @param query Tenant, experiment and filter.
 * @returns The statement and its parameters.
 */
export function conversionsSql(query: ConversionsQuery): {
  readonly sql: string;
  readonly params: ReadonlyArray<string | number>;
} {
  const types = query.eventTypes ?? [];
  const filter =
    types.length === 0
      ? ""
      : ` AND e.event_type IN (${types.map(() => "?").join(", ")})`;
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
    params: [query.clientId, query.experimentKey, ...types],
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
  statement: ReturnType<typeof conversionsSql>,
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
  statement: ReturnType<typeof conversionsSql>,
): Promise<number> {
  const [rows] = await connection.query(statement.sql, [...statement.params]);
  return (rows as ReadonlyArray<unknown>).length;
}

/**
 * Waits until no other connection runs a statement in the database, such
 * as a query the service gave up on at its deadline but MySQL still runs.
 *
 * @param connection A connection to the benchmark's database.
 * @param maxMs How long to wait at most.
 * @returns How long it waited, in milliseconds.
 */
export async function waitForQuiet(
  connection: Connection,
  maxMs: number,
): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < maxMs) {
    const [rows] = await connection.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST " +
        "WHERE DB = DATABASE() AND COMMAND = 'Query' " +
        "AND ID <> CONNECTION_ID()",
    );
    if (Number((rows as Array<{ n: number }>)[0]?.n ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return performance.now() - start;
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
  statement: ReturnType<typeof conversionsSql>,
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
