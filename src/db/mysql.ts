/**
 * The MySQL connection pool, and the boundary that turns driver failures
 * into what callers see.
 *
 * @module
 */
import { SqlError } from "@effect/sql";
import { MysqlClient } from "@effect/sql-mysql2";
import { Duration, Effect, Layer, Schema } from "effect";
import { ServiceUnavailable } from "../api/errors.ts";
import { AppConfig } from "../config.ts";

/**
 * The pool, configured from `AppConfig`. Times travel as UTC strings in
 * both directions, so neither the process's nor the server's time zone
 * matters, and `DATETIME(6)` keeps its microseconds.
 */
export const MysqlLive = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ database }) =>
    MysqlClient.layer({
      host: database.host,
      port: database.port,
      username: database.user,
      password: database.password,
      database: database.database,
      maxConnections: 20,
      poolConfig: {
        timezone: "Z",
        dateStrings: true,
        connectTimeout: 5_000,
        charset: "utf8mb4_bin",
        maxIdle: 20,
        enableKeepAlive: true,
      },
    }),
  ),
);

/**
 * A `DATETIME(6)` column: the driver's `YYYY-MM-DD HH:MM:SS.ffffff` text
 * in UTC on one side, a `Date` on the other.
 */
export const SqlTime = Schema.transform(Schema.String, Schema.DateFromSelf, {
  strict: true,
  decode: (text) => new Date(`${text.replace(" ", "T")}Z`),
  encode: (date) => date.toISOString().replace("T", " ").replace("Z", ""),
});

/**
 * Formats a `Date` as a `DATETIME(6)` literal in UTC.
 *
 * @param date The moment.
 * @returns Text such as `2026-10-27 10:32:00.000`.
 *
 * @example
 * ```ts
 * toSqlTime(new Date("2026-10-27T10:32:00Z")); // "2026-10-27 10:32:00.000"
 * ```
 */
export const toSqlTime = (date: Date): string =>
  Schema.encodeSync(SqlTime)(date);

const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_LOCK_DEADLOCK",
]);

/**
 * Whether a driver error means the database is unreachable or overloaded,
 * as opposed to a bug in a statement.
 *
 * @param error The failure.
 * @returns `true` for connection, lock-timeout and deadlock failures.
 *
 * @example
 * ```ts
 * isUnavailable(error) ? "503" : "500";
 * ```
 */
export function isUnavailable(error: SqlError.SqlError): boolean {
  const cause = error.cause as
    | { readonly code?: string; readonly fatal?: boolean }
    | undefined;
  return cause?.fatal === true || CONNECTION_ERRORS.has(cause?.code ?? "");
}

/** The code of a MySQL error, such as `ER_DUP_ENTRY`. */
export const errorCode = (error: SqlError.SqlError): string | undefined =>
  (error.cause as { readonly code?: string } | undefined)?.code;

const QUERY_DEADLINE = Duration.seconds(10);

/**
 * Runs database work with a deadline and maps its failures: an unreachable
 * database answers 503; any other driver error is a defect (a 500 that is
 * logged).
 *
 * @param effect The database work.
 * @returns The same work, failing only with `ServiceUnavailable`.
 *
 * @example
 * ```ts
 * const rows = yield* databaseBoundary(sql`SELECT 1`);
 * ```
 */
export const databaseBoundary = <A, E, R>(
  effect: Effect.Effect<A, E | SqlError.SqlError, R>,
): Effect.Effect<A, Exclude<E, SqlError.SqlError> | ServiceUnavailable, R> =>
  effect.pipe(
    Effect.timeoutFail({
      duration: QUERY_DEADLINE,
      onTimeout: () =>
        new ServiceUnavailable({
          detail: "Query the database: no answer within 10 seconds",
        }),
    }),
    Effect.catchIf(
      (error): error is SqlError.SqlError => error instanceof SqlError.SqlError,
      (error) =>
        isUnavailable(error)
          ? Effect.fail(
              new ServiceUnavailable({
                detail: "Query the database: the database is unreachable",
              }),
            )
          : Effect.die(error),
    ),
  ) as Effect.Effect<A, Exclude<E, SqlError.SqlError> | ServiceUnavailable, R>;

/**
 * Decodes result rows with a schema. Rows that do not fit are a bug in a
 * query, so they die rather than fail; driver errors are left to
 * `databaseBoundary`.
 *
 * @param schema The schema of one row.
 * @returns A function from raw rows to decoded rows.
 *
 * @example
 * ```ts
 * sql`SELECT id FROM t`.pipe(Effect.flatMap(decodeRows(Row)));
 * ```
 */
export const decodeRows = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknown(Schema.Array(schema));
  return (rows: unknown) => Effect.orDie(decode(rows));
};
