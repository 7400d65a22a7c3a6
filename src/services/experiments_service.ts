/**
 * Creating experiments and looking them up for a client, with their
 * definitions kept in the cache.
 *
 * @module
 */
import { Duration, Effect, Option, Schema } from "effect";
import { NotFound } from "../api/errors.ts";
import type { CreateExperiment, Experiment } from "../api/experiments.ts";
import { AssignmentCache } from "../cache/assignment_cache.ts";
import {
  ExperimentRecord,
  ExperimentsRepository,
} from "../repositories/experiments_repository.ts";

const DEFINITION_TTL = Duration.minutes(5);

const RecordJson = Schema.parseJson(ExperimentRecord);
const encodeRecord = Schema.encodeSync(RecordJson);
const decodeRecord = Schema.decodeOption(RecordJson);

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
  variants: record.variants.map((variant) => ({
    id: variant.publicId,
    name: variant.name,
    traffic_allocation: variant.trafficAllocation,
  })),
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

/** Experiments of the calling client. */
export class ExperimentsService extends Effect.Service<ExperimentsService>()(
  "ExperimentsService",
  {
    effect: Effect.gen(function* () {
      const repository = yield* ExperimentsRepository;
      const cache = yield* AssignmentCache;

      const create = Effect.fn("ExperimentsService.create")(function* (
        clientId: string,
        input: CreateExperiment,
      ) {
        const record = yield* repository.insert(clientId, input, "active");
        return toExperiment(record);
      });

      const notFound = (publicId: string) =>
        new NotFound({
          detail: `Find experiment: no experiment "${publicId}"`,
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

      return { create, definition } as const;
    }),
    dependencies: [ExperimentsRepository.Default],
  },
) {}
