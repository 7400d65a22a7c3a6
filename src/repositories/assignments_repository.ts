/**
 * Users' assignments in MySQL. One row per (experiment, user), enforced by
 * a unique key, is what makes assignments sticky across instances.
 *
 * @module
 */
import { SqlClient } from "@effect/sql";
import { Effect, Option, Schema } from "effect";
import {
  databaseBoundary,
  decodeRows,
  errorCode,
  SqlTime,
  toSqlTime,
} from "../db/mysql.ts";

/** A stored assignment. */
export const AssignmentRecord = Schema.Struct({
  publicId: Schema.String,
  variantKey: Schema.Number,
  userId: Schema.String,
  createdAt: SqlTime,
  updatedAt: SqlTime,
});

/** A stored assignment. */
export type AssignmentRecord = typeof AssignmentRecord.Type;

/** Reads and writes assignments. */
export class AssignmentsRepository extends Effect.Service<AssignmentsRepository>()(
  "AssignmentsRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const find = (experimentKey: number, userId: string) =>
        sql`
          SELECT public_id AS publicId, variant_id AS variantKey,
                 user_id AS userId, created_at AS createdAt,
                 updated_at AS updatedAt
          FROM assignments
          WHERE experiment_id = ${experimentKey} AND user_id = ${userId}
        `.pipe(
          Effect.flatMap(decodeRows(AssignmentRecord)),
          Effect.map((rows) => Option.fromNullable(rows[0])),
          databaseBoundary,
          Effect.withSpan("AssignmentsRepository.find", {
            attributes: { experimentKey },
          }),
        );

      /**
       * Stores an assignment unless the user already has one; either way
       * answers with the stored row, so concurrent first calls agree.
       */
      const insertOrGet = (input: {
        readonly clientId: string;
        readonly experimentKey: number;
        readonly variantKey: number;
        readonly userId: string;
        readonly publicId: string;
        readonly at: Date;
        readonly attributes: Readonly<Record<string, unknown>> | undefined;
      }) =>
        sql`
          INSERT INTO assignments ${sql.insert({
            public_id: input.publicId,
            client_id: input.clientId,
            experiment_id: input.experimentKey,
            variant_id: input.variantKey,
            user_id: input.userId,
            attributes:
              input.attributes === undefined
                ? null
                : JSON.stringify(input.attributes),
            created_at: toSqlTime(input.at),
            updated_at: toSqlTime(input.at),
          })}
        `.pipe(
          Effect.as<AssignmentRecord>({
            publicId: input.publicId,
            variantKey: input.variantKey,
            userId: input.userId,
            createdAt: input.at,
            updatedAt: input.at,
          }),
          Effect.catchIf(
            (error) => errorCode(error) === "ER_DUP_ENTRY",
            () =>
              find(input.experimentKey, input.userId).pipe(
                Effect.map(Option.getOrThrow),
              ),
          ),
          databaseBoundary,
          Effect.withSpan("AssignmentsRepository.insertOrGet", {
            attributes: { experimentKey: input.experimentKey },
          }),
        );

      return { find, insertOrGet } as const;
    }),
  },
) {}
