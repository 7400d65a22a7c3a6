/**
 * Experiments and their variants in MySQL, and the idempotency keys of
 * their creation.
 *
 * @module
 */
import { SqlClient, SqlError } from "@effect/sql";
import { Data, Effect, Option, Schema } from "effect";
import type { CreateExperiment } from "../api/experiments.ts";
import { ExperimentStatus } from "../api/experiments.ts";
import {
  databaseBoundary,
  decodeRows,
  errorCode,
  SqlTime,
  toSqlTime,
} from "../db/mysql.ts";
import { uuidV7 } from "../uuid_v7.ts";

/** A variant with its internal key. */
export const VariantRecord = Schema.Struct({
  key: Schema.Number,
  publicId: Schema.String,
  name: Schema.String,
  trafficAllocation: Schema.Number,
});

/** A variant with its internal key. */
export type VariantRecord = typeof VariantRecord.Type;

/**
 * An experiment with its internal key and its variants in order; the
 * first is the control. Its JSON form is what the cache stores.
 */
export const ExperimentRecord = Schema.Struct({
  key: Schema.Number,
  publicId: Schema.String,
  clientId: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  status: ExperimentStatus,
  salt: Schema.String,
  winnerVariantKey: Schema.optionalWith(Schema.NullOr(Schema.Number), {
    default: () => null,
  }),
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
  variants: Schema.Array(VariantRecord),
});

/** An experiment with its internal key and its variants. */
export type ExperimentRecord = typeof ExperimentRecord.Type;

/** A variant to store: its name and share. */
export interface NewVariant {
  readonly name: string;
  readonly traffic_allocation: number;
}

/** What an update changes; absent fields stay as they are. */
export interface ExperimentChanges {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly status?: typeof ExperimentStatus.Type | undefined;
  readonly winnerVariantKey?: number | undefined;
  readonly variants?: ReadonlyArray<NewVariant> | undefined;
}

/** Where a page of the listing starts: after this experiment. */
export interface ListCursor {
  readonly createdAt: Date;
  readonly publicId: string;
}

/** An idempotency key's stored request and answer. */
export interface StoredIdempotency {
  readonly requestHash: string;
  readonly response: string;
}

/** Another request stored the same idempotency key first. */
export class IdempotencyRace extends Data.TaggedError("IdempotencyRace") {}

const Row = Schema.Struct({
  experiment_key: Schema.Number,
  experiment_public_id: Schema.String,
  client_id: Schema.String,
  experiment_name: Schema.String,
  description: Schema.NullOr(Schema.String),
  status: ExperimentStatus,
  salt: Schema.String,
  winner_variant_id: Schema.NullOr(Schema.Number),
  created_at: SqlTime,
  updated_at: SqlTime,
  variant_key: Schema.Number,
  variant_public_id: Schema.String,
  variant_name: Schema.String,
  traffic_allocation: Schema.Number,
});

type Row = typeof Row.Type;

const toRecords = (rows: ReadonlyArray<Row>): Array<ExperimentRecord> => {
  const records = new Map<number, ExperimentRecord>();

  for (const row of rows) {
    const variant = {
      key: row.variant_key,
      publicId: row.variant_public_id,
      name: row.variant_name,
      trafficAllocation: row.traffic_allocation,
    };
    const known = records.get(row.experiment_key);
    records.set(row.experiment_key, {
      key: row.experiment_key,
      publicId: row.experiment_public_id,
      clientId: row.client_id,
      name: row.experiment_name,
      description: row.description,
      status: row.status,
      salt: row.salt,
      winnerVariantKey: row.winner_variant_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      variants: [...(known?.variants ?? []), variant],
    });
  }

  return [...records.values()];
};

const isIdempotencyDuplicate = (error: unknown): error is SqlError.SqlError =>
  error instanceof SqlError.SqlError &&
  errorCode(error) === "ER_DUP_ENTRY" &&
  String((error.cause as Error | undefined)?.message).includes(
    "uq_idempotency_client_key",
  );

const IdempotencyRow = Schema.Struct({
  requestHash: Schema.String,
  response: Schema.String,
});

/** Reads and writes experiments. */
export class ExperimentsRepository extends Effect.Service<ExperimentsRepository>()(
  "ExperimentsRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const selectWithVariants = sql`
        SELECT e.id AS experiment_key,
               e.public_id AS experiment_public_id,
               e.client_id, e.name AS experiment_name, e.description,
               e.status, e.salt, e.winner_variant_id,
               e.created_at, e.updated_at,
               v.id AS variant_key, v.public_id AS variant_public_id,
               v.name AS variant_name, v.traffic_allocation
        FROM experiments e
        JOIN variants v ON v.experiment_id = e.id
      `;

      const load = (clientId: string, publicId: string, lock: boolean) =>
        sql`
          ${selectWithVariants}
          WHERE e.public_id = ${publicId} AND e.client_id = ${clientId}
          ORDER BY v.position
          ${lock ? sql`FOR UPDATE` : sql``}
        `.pipe(
          Effect.flatMap(decodeRows(Row)),
          Effect.map((rows) => Option.fromNullable(toRecords(rows)[0])),
        );

      const findByPublicId = (clientId: string, publicId: string) =>
        load(clientId, publicId, false).pipe(
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.findByPublicId", {
            attributes: { clientId, publicId },
          }),
        );

      /** Newest first, `limit` experiments after the cursor. */
      const list = (
        clientId: string,
        options: {
          readonly status?: typeof ExperimentStatus.Type | undefined;
          readonly limit: number;
          readonly after?: ListCursor | undefined;
        },
      ) =>
        Effect.gen(function* () {
          const after = options.after;
          const page = yield* sql<{ readonly id: number }>`
            SELECT id FROM experiments
            WHERE client_id = ${clientId}
              ${options.status === undefined ? sql`` : sql`AND status = ${options.status}`}
              ${
                after === undefined
                  ? sql``
                  : sql`AND (created_at, public_id) <
                      (${toSqlTime(after.createdAt)}, ${after.publicId})`
              }
            ORDER BY created_at DESC, public_id DESC
            LIMIT ${options.limit}
          `;
          if (page.length === 0) return [];

          const rows = yield* sql`
            ${selectWithVariants}
            WHERE ${sql.in(
              "e.id",
              page.map((row) => row.id),
            )}
            ORDER BY e.created_at DESC, e.public_id DESC, v.position
          `.pipe(Effect.flatMap(decodeRows(Row)));
          return toRecords(rows);
        }).pipe(
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.list", {
            attributes: { clientId },
          }),
        );

      const insertVariants = (
        experimentKey: number,
        variants: ReadonlyArray<NewVariant>,
        now: string,
      ) => sql`
        INSERT INTO variants ${sql.insert(
          variants.map((variant, position) => ({
            public_id: uuidV7(),
            experiment_id: experimentKey,
            position,
            name: variant.name,
            traffic_allocation: variant.traffic_allocation,
            created_at: now,
            updated_at: now,
          })),
        )}
      `;

      const findIdempotency = (clientId: string, key: string) =>
        sql`
          SELECT request_hash AS requestHash, response
          FROM idempotency_keys
          WHERE client_id = ${clientId} AND idempotency_key = ${key}
        `.pipe(
          Effect.flatMap(decodeRows(IdempotencyRow)),
          Effect.map((rows) => Option.fromNullable(rows[0])),
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.findIdempotency", {
            attributes: { clientId },
          }),
        );

      /**
       * Stores an experiment and its variants in one transaction, and with
       * them, when given, the idempotency key and the answer it stands
       * for. Fails with `IdempotencyRace` when another request stored the
       * key first; then nothing is stored.
       */
      const insert = (
        clientId: string,
        input: CreateExperiment,
        idempotency?: {
          readonly key: string;
          readonly requestHash: string;
          readonly response: (record: ExperimentRecord) => string;
        },
      ) =>
        Effect.gen(function* () {
          const publicId = uuidV7();
          const now = toSqlTime(new Date());

          const header = (yield* sql`
            INSERT INTO experiments ${sql.insert({
              public_id: publicId,
              client_id: clientId,
              name: input.name,
              description: input.description ?? null,
              status: input.status ?? "active",
              salt: publicId,
              created_at: now,
              updated_at: now,
            })}
          `.raw) as { readonly insertId: number };
          yield* insertVariants(header.insertId, input.variants, now);

          const record = Option.getOrThrow(
            yield* load(clientId, publicId, false),
          );
          if (idempotency !== undefined) {
            yield* sql`
              INSERT INTO idempotency_keys ${sql.insert({
                client_id: clientId,
                idempotency_key: idempotency.key,
                request_hash: idempotency.requestHash,
                response: idempotency.response(record),
                created_at: now,
              })}
            `;
          }
          return record;
        }).pipe(
          sql.withTransaction,
          Effect.catchIf(isIdempotencyDuplicate, () =>
            Effect.fail(new IdempotencyRace()),
          ),
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.insert", {
            attributes: { clientId },
          }),
        );

      /**
       * Locks the experiment, lets `plan` decide the changes from its
       * current state (or refuse them), applies them and answers the new
       * state, all in one transaction.
       */
      const update = <E>(
        clientId: string,
        publicId: string,
        plan: (
          current: ExperimentRecord,
        ) => Effect.Effect<ExperimentChanges, E>,
      ) =>
        Effect.gen(function* () {
          const current = yield* load(clientId, publicId, true);
          if (Option.isNone(current)) return Option.none();

          const changes = yield* plan(current.value);
          const now = toSqlTime(new Date());
          const key = current.value.key;

          yield* sql`
            UPDATE experiments SET ${sql.update({
              updated_at: now,
              ...(changes.name === undefined ? {} : { name: changes.name }),
              ...(changes.description === undefined
                ? {}
                : { description: changes.description }),
              ...(changes.status === undefined
                ? {}
                : { status: changes.status }),
              ...(changes.winnerVariantKey === undefined
                ? {}
                : { winner_variant_id: changes.winnerVariantKey }),
            })}
            WHERE id = ${key}
          `;
          if (changes.variants !== undefined) {
            yield* sql`DELETE FROM variants WHERE experiment_id = ${key}`;
            yield* insertVariants(key, changes.variants, now);
          }

          return yield* load(clientId, publicId, false);
        }).pipe(
          sql.withTransaction,
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.update", {
            attributes: { clientId, publicId },
          }),
        );

      /** The ids of the client's active experiments, newest first. */
      const activeIds = (clientId: string, limit: number) =>
        sql<{ readonly publicId: string }>`
          SELECT public_id AS publicId FROM experiments
          WHERE client_id = ${clientId} AND status = 'active'
          ORDER BY created_at DESC, public_id DESC
          LIMIT ${limit}
        `.pipe(
          Effect.map((rows) => rows.map((row) => row.publicId)),
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.activeIds", {
            attributes: { clientId },
          }),
        );

      return {
        findByPublicId,
        list,
        activeIds,
        findIdempotency,
        insert,
        update,
      } as const;
    }),
  },
) {}
