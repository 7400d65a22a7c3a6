/**
 * Experiments of the calling client: creating (idempotently), listing,
 * reading and changing them, with their definitions kept in the cache.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { Duration, Effect, Option, Schema } from "effect";
import { Conflict, InvalidRequest, NotFound } from "../api/errors.ts";
import {
  type CreateExperiment,
  Experiment,
  type ExperimentDetail,
  type ExperimentPage,
  type UpdateExperiment,
} from "../api/experiments.ts";
import { AssignmentCache } from "../cache/assignment_cache.ts";
import { canMove, nextStates } from "../domain/lifecycle.ts";
import { AnalysisRepository } from "../repositories/analysis_repository.ts";
import {
  type ExperimentChanges,
  ExperimentRecord,
  ExperimentsRepository,
  type ListCursor,
} from "../repositories/experiments_repository.ts";

const DEFINITION_TTL = Duration.minutes(5);

/** The most active experiments a page-view assignment covers. */
export const MAX_ACTIVE = 200;

const RecordJson = Schema.parseJson(ExperimentRecord);
const encodeRecord = Schema.encodeSync(RecordJson);
const decodeRecord = Schema.decodeOption(RecordJson);

const ExperimentJson = Schema.parseJson(Experiment);
const encodeExperiment = Schema.encodeSync(ExperimentJson);
const decodeExperiment = Schema.decodeSync(ExperimentJson);

/**
 * The cache key of an experiment's definition.
 *
 * @param clientId The owning client.
 * @param publicId The experiment's id.
 * @returns The key, without the deployment's prefix.
 *
 * @example
 * ```ts
 * definitionKey("1", "0193a5c2-..."); // "experiment:1:0193a5c2-..."
 * ```
 */
export const definitionKey = (clientId: string, publicId: string) =>
  `experiment:${clientId}:${publicId}`;

/**
 * An experiment as callers see it.
 *
 * @param record The stored experiment.
 * @returns Its public form, without internal keys.
 *
 * @example
 * ```ts
 * const body = toExperiment(record);
 * ```
 */
export const toExperiment = (record: ExperimentRecord): Experiment => ({
  id: record.publicId,
  name: record.name,
  description: record.description,
  status: record.status,
  winner_variant_id:
    record.variants.find((variant) => variant.key === record.winnerVariantKey)
      ?.publicId ?? null,
  variants: record.variants.map((variant) => ({
    id: variant.publicId,
    name: variant.name,
    traffic_allocation: variant.trafficAllocation,
  })),
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

/**
 * Writes a listing cursor: the last item's creation time and id, opaque
 * to callers.
 *
 * @param cursor Where the next page starts.
 * @returns The cursor text.
 *
 * @example
 * ```ts
 * encodeCursor({ createdAt, publicId }); // "MjAyNi0x..."
 * ```
 */
export const encodeCursor = (cursor: ListCursor): string =>
  Buffer.from(
    `${cursor.createdAt.toISOString()}|${cursor.publicId}`,
    "utf8",
  ).toString("base64url");

/**
 * Reads a listing cursor.
 *
 * @param text The cursor text.
 * @returns The cursor, or none when the text is not one.
 *
 * @example
 * ```ts
 * decodeCursor(encodeCursor(cursor)); // Some(cursor)
 * ```
 */
export const decodeCursor = (text: string): Option.Option<ListCursor> => {
  const [time, publicId, ...rest] = Buffer.from(text, "base64url")
    .toString("utf8")
    .split("|");
  const createdAt = new Date(time ?? "");
  return rest.length === 0 &&
    publicId !== undefined &&
    /^[0-9a-f-]{36}$/.test(publicId) &&
    !Number.isNaN(createdAt.getTime())
    ? Option.some({ createdAt, publicId })
    : Option.none();
};

const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_, item) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : item,
  );

const hashRequest = (input: CreateExperiment) =>
  createHash("sha256").update(canonicalJson(input)).digest("hex");

/**
 * Decides what an update changes, or why it is refused: 409 for a move the
 * lifecycle forbids or a variant change after draft, 400 for a winner that
 * is not a variant or comes without completing.
 *
 * @param current The experiment as stored.
 * @param patch The requested changes.
 * @returns The changes to apply.
 *
 * @example
 * ```ts
 * planUpdate(current, { status: "paused" });
 * ```
 */
export const planUpdate = (
  current: ExperimentRecord,
  patch: UpdateExperiment,
): Effect.Effect<ExperimentChanges, Conflict | InvalidRequest> =>
  Effect.gen(function* () {
    const status = patch.status ?? current.status;

    if (!canMove(current.status, status)) {
      const next = nextStates(current.status);
      return yield* new Conflict({
        detail:
          `Change status: the experiment is ${current.status}, which can ` +
          (next.length === 0
            ? "not change any more"
            : `move only to ${next.join(" or ")}`) +
          `, not to "${status}"`,
      });
    }
    if (patch.variants !== undefined && current.status !== "draft") {
      return yield* new Conflict({
        detail:
          `Change variants: the experiment is ${current.status}; variants ` +
          "change only while it is draft",
      });
    }

    let winnerVariantKey: number | undefined;
    if (patch.winner !== undefined) {
      if (status !== "completed" || current.status === "completed") {
        return yield* new InvalidRequest({
          detail:
            "Validate request: winner: goes with moving the experiment to " +
            "status completed",
        });
      }
      const winner = current.variants.find(
        (v) => v.publicId === patch.winner || v.name === patch.winner,
      );
      if (winner === undefined) {
        return yield* new InvalidRequest({
          detail: `Validate request: winner: no variant "${patch.winner}"`,
        });
      }
      winnerVariantKey = winner.key;
    }

    return {
      name: patch.name,
      description: patch.description,
      status: patch.status,
      winnerVariantKey,
      variants: patch.variants,
    };
  });

/** Experiments of the calling client. */
export class ExperimentsService extends Effect.Service<ExperimentsService>()(
  "ExperimentsService",
  {
    effect: Effect.gen(function* () {
      const repository = yield* ExperimentsRepository;
      const analysis = yield* AnalysisRepository;
      const cache = yield* AssignmentCache;

      const notFound = (publicId: string) =>
        new NotFound({
          detail: `Find experiment: no experiment "${publicId}"`,
        });

      const replay = (
        stored: { readonly requestHash: string; readonly response: string },
        requestHash: string,
        key: string,
      ) =>
        stored.requestHash === requestHash
          ? Effect.succeed(decodeExperiment(stored.response))
          : Effect.fail(
              new Conflict({
                detail:
                  `Create experiment: Idempotency-Key "${key}" was used ` +
                  "with another body",
              }),
            );

      /**
       * Creates an experiment. With an idempotency key, a retry with the
       * same body answers the first answer and creates nothing.
       */
      const create = Effect.fn("ExperimentsService.create")(function* (
        clientId: string,
        input: CreateExperiment,
        idempotencyKey?: string,
      ) {
        if (idempotencyKey === undefined) {
          const record = yield* repository
            .insert(clientId, input)
            .pipe(Effect.catchTag("IdempotencyRace", Effect.die));
          return toExperiment(record);
        }

        const requestHash = hashRequest(input);
        const stored = yield* repository.findIdempotency(
          clientId,
          idempotencyKey,
        );
        if (Option.isSome(stored)) {
          return yield* replay(stored.value, requestHash, idempotencyKey);
        }

        return yield* repository
          .insert(clientId, input, {
            key: idempotencyKey,
            requestHash,
            response: (record) => encodeExperiment(toExperiment(record)),
          })
          .pipe(
            Effect.map(toExperiment),
            Effect.catchTag("IdempotencyRace", () =>
              repository.findIdempotency(clientId, idempotencyKey).pipe(
                Effect.map(Option.getOrThrow),
                Effect.flatMap((first) =>
                  replay(first, requestHash, idempotencyKey),
                ),
              ),
            ),
          );
      });

      /** The experiment's definition; another client's answers 404. */
      const definition = Effect.fn("ExperimentsService.definition")(function* (
        clientId: string,
        publicId: string,
      ) {
        const key = definitionKey(clientId, publicId);
        const cached = Option.flatMap(yield* cache.get(key), decodeRecord);
        if (Option.isSome(cached)) return cached.value;

        const stored = yield* repository.findByPublicId(clientId, publicId);
        if (Option.isNone(stored)) return yield* notFound(publicId);

        yield* cache.set(key, encodeRecord(stored.value), DEFINITION_TTL);
        return stored.value;
      });

      /** A page of experiments, newest first. */
      const list = Effect.fn("ExperimentsService.list")(function* (
        clientId: string,
        query: {
          readonly limit?: number | undefined;
          readonly cursor?: string | undefined;
          readonly status?: ExperimentRecord["status"] | undefined;
        },
      ) {
        const limit = query.limit ?? 20;
        const after =
          query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        if (after !== undefined && Option.isNone(after)) {
          return yield* new InvalidRequest({
            detail: `Validate request: cursor: not a cursor, got "${query.cursor}"`,
          });
        }

        const records = yield* repository.list(clientId, {
          status: query.status,
          limit: limit + 1,
          after: after === undefined ? undefined : after.value,
        });
        const page = records.slice(0, limit);
        const last = page[page.length - 1];
        const body: ExperimentPage = {
          items: page.map(toExperiment),
          next_cursor:
            records.length > limit && last !== undefined
              ? encodeCursor({
                  createdAt: last.createdAt,
                  publicId: last.publicId,
                })
              : null,
        };
        return body;
      });

      /** The experiment with its users per variant so far. */
      const detail = Effect.fn("ExperimentsService.detail")(function* (
        clientId: string,
        publicId: string,
      ) {
        const stored = yield* repository.findByPublicId(clientId, publicId);
        if (Option.isNone(stored)) return yield* notFound(publicId);

        const counts = yield* analysis.userCounts({
          clientId,
          experimentKey: stored.value.key,
          window: {},
          filters: [],
        });
        const users = new Map(counts.map((row) => [row.variantKey, row.users]));
        const experiment = toExperiment(stored.value);
        const body: ExperimentDetail = {
          ...experiment,
          variants: experiment.variants.map((variant, index) => ({
            ...variant,
            user_count: users.get(stored.value.variants[index]?.key ?? -1) ?? 0,
          })),
          user_count: [...users.values()].reduce((a, b) => a + b, 0),
        };
        return body;
      });

      /** Changes an experiment and drops its cached definition. */
      const update = Effect.fn("ExperimentsService.update")(function* (
        clientId: string,
        publicId: string,
        patch: UpdateExperiment,
      ) {
        const updated = yield* repository.update(
          clientId,
          publicId,
          (current) => planUpdate(current, patch),
        );
        if (Option.isNone(updated)) return yield* notFound(publicId);

        yield* cache.remove(definitionKey(clientId, publicId));
        return toExperiment(updated.value);
      });

      /** The ids of the client's active experiments, newest first. */
      const activeIds = (clientId: string) =>
        repository.activeIds(clientId, MAX_ACTIVE);

      return { create, definition, list, detail, update, activeIds } as const;
    }),
    dependencies: [ExperimentsRepository.Default, AnalysisRepository.Default],
  },
) {}
