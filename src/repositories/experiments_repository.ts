/**
 * Experiments and their variants in MySQL.
 *
 * @module
 */
import { SqlClient } from "@effect/sql";
import { Effect, Option, Schema } from "effect";
import type { CreateExperiment } from "../api/experiments.ts";
import { ExperimentStatus } from "../api/experiments.ts";
import {
  databaseBoundary,
  decodeRows,
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
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
  variants: Schema.Array(VariantRecord),
});

/** An experiment with its internal key and its variants. */
export type ExperimentRecord = typeof ExperimentRecord.Type;

const Row = Schema.Struct({
  experiment_key: Schema.Number,
  experiment_public_id: Schema.String,
  client_id: Schema.String,
  experiment_name: Schema.String,
  description: Schema.NullOr(Schema.String),
  status: ExperimentStatus,
  salt: Schema.String,
  created_at: SqlTime,
  updated_at: SqlTime,
  variant_key: Schema.Number,
  variant_public_id: Schema.String,
  variant_name: Schema.String,
  traffic_allocation: Schema.Number,
});

const toRecord = (
  rows: ReadonlyArray<typeof Row.Type>,
): Option.Option<ExperimentRecord> => {
  const first = rows[0];
  if (first === undefined) return Option.none();

  return Option.some({
    key: first.experiment_key,
    publicId: first.experiment_public_id,
    clientId: first.client_id,
    name: first.experiment_name,
    description: first.description,
    status: first.status,
    salt: first.salt,
    createdAt: first.created_at,
    updatedAt: first.updated_at,
    variants: rows.map((row) => ({
      key: row.variant_key,
      publicId: row.variant_public_id,
      name: row.variant_name,
      trafficAllocation: row.traffic_allocation,
    })),
  });
};

/** Reads and writes experiments. */
export class ExperimentsRepository extends Effect.Service<ExperimentsRepository>()(
  "ExperimentsRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const findByPublicId = (clientId: string, publicId: string) =>
        sql`
          SELECT e.id AS experiment_key,
                 e.public_id AS experiment_public_id,
                 e.client_id, e.name AS experiment_name, e.description,
                 e.status, e.salt, e.created_at, e.updated_at,
                 v.id AS variant_key, v.public_id AS variant_public_id,
                 v.name AS variant_name, v.traffic_allocation
          FROM experiments e
          JOIN variants v ON v.experiment_id = e.id
          WHERE e.public_id = ${publicId} AND e.client_id = ${clientId}
          ORDER BY v.position
        `.pipe(
          Effect.flatMap(decodeRows(Row)),
          Effect.map(toRecord),
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.findByPublicId", {
            attributes: { clientId, publicId },
          }),
        );

      const insert = (
        clientId: string,
        input: CreateExperiment,
        status: typeof ExperimentStatus.Type,
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
              status,
              salt: publicId,
              created_at: now,
              updated_at: now,
            })}
          `.raw) as { readonly insertId: number };

          yield* sql`
            INSERT INTO variants ${sql.insert(
              input.variants.map((variant, position) => ({
                public_id: uuidV7(),
                experiment_id: header.insertId,
                position,
                name: variant.name,
                traffic_allocation: variant.traffic_allocation,
                created_at: now,
                updated_at: now,
              })),
            )}
          `;

          return publicId;
        }).pipe(
          sql.withTransaction,
          Effect.flatMap((publicId) => findByPublicId(clientId, publicId)),
          Effect.map(Option.getOrThrow),
          databaseBoundary,
          Effect.withSpan("ExperimentsRepository.insert", {
            attributes: { clientId },
          }),
        );

      return { findByPublicId, insert } as const;
    }),
  },
) {}
