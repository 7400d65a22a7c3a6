/**
 * Applies the plain `.sql` migrations in `sql/` in order, each once,
 * recording them in `schema_migrations`. A MySQL named lock makes service
 * instances that start together take turns.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SqlClient, type SqlError } from "@effect/sql";
import { Effect, Layer } from "effect";

/** Where the migrations live: `sql/` at the top of the package. */
export const MIGRATIONS_DIRECTORY = fileURLToPath(
  new URL("../../sql/", import.meta.url),
);

const LOCK_NAME = "experiments_service_migrations";

/** One migration file. */
export interface Migration {
  readonly version: string;
  readonly statements: string;
}

/**
 * Reads the migrations of a folder: files named `NNN_description.sql`,
 * sorted by name.
 *
 * @param directory The folder.
 * @returns The migrations in the order they apply.
 *
 * @example
 * ```ts
 * const migrations = await readMigrations(MIGRATIONS_DIRECTORY);
 * ```
 */
export async function readMigrations(
  directory: string,
): Promise<ReadonlyArray<Migration>> {
  const names = (await readdir(directory))
    .filter((name) => /^\d+_[\w-]+\.sql$/.test(name))
    .sort();

  return Promise.all(
    names.map(async (name) => ({
      version: name.replace(/\.sql$/, ""),
      statements: await readFile(`${directory}/${name}`, "utf8"),
    })),
  );
}

/**
 * Applies the migrations that are not yet recorded.
 *
 * @param directory The folder of `.sql` files.
 * @returns The versions it applied.
 *
 * @example
 * ```ts
 * const applied = yield* migrate(MIGRATIONS_DIRECTORY);
 * ```
 */
export const migrate = (directory: string = MIGRATIONS_DIRECTORY) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const migrations = yield* Effect.promise(() => readMigrations(directory));
    const connection = yield* sql.reserve;

    const run = (statement: string, params: ReadonlyArray<unknown> = []) =>
      connection.executeUnprepared(statement, params, undefined);

    yield* run(
      "CREATE TABLE IF NOT EXISTS schema_migrations (" +
        "version VARCHAR(255) NOT NULL PRIMARY KEY, " +
        "applied_at DATETIME(6) NOT NULL)",
    );
    yield* Effect.acquireRelease(
      run("SELECT GET_LOCK(?, 60) AS locked", [LOCK_NAME]),
      () => Effect.ignore(run("SELECT RELEASE_LOCK(?)", [LOCK_NAME])),
    );

    const rows = yield* run("SELECT version FROM schema_migrations");
    const done = new Set(
      (rows as ReadonlyArray<{ version: string }>).map((row) => row.version),
    );
    const pending = migrations.filter((m) => !done.has(m.version));

    for (const migration of pending) {
      yield* run(migration.statements);
      yield* run(
        "INSERT INTO schema_migrations (version, applied_at) " +
          "VALUES (?, UTC_TIMESTAMP(6))",
        [migration.version],
      );
      yield* Effect.logInfo("Applied migration").pipe(
        Effect.annotateLogs("version", migration.version),
      );
    }

    return pending.map((migration) => migration.version);
  }).pipe(Effect.scoped, Effect.withSpan("Migrator.migrate"));

/** Runs the migrations when the layer is built, before the server starts. */
export const MigrationsLive: Layer.Layer<
  never,
  SqlError.SqlError,
  SqlClient.SqlClient
> = Layer.effectDiscard(migrate());
