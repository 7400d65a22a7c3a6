/**
 * Assigning users to variants: sticky, deterministic and safe under
 * concurrent first requests from any number of instances.
 *
 * @module
 */
import { Duration, Effect, Option, Schema } from "effect";
import { Assignment } from "../api/assignments.ts";
import type { Attributes as AttributesSchema } from "../api/common.ts";
import { AssignmentCache } from "../cache/assignment_cache.ts";
import { assignVariant } from "../domain/hashing.ts";
import {
  type AssignmentRecord,
  AssignmentsRepository,
} from "../repositories/assignments_repository.ts";
import type { ExperimentRecord } from "../repositories/experiments_repository.ts";
import { uuidV7 } from "../uuid_v7.ts";
import { ExperimentsService } from "./experiments_service.ts";

const ASSIGNMENT_TTL = Duration.days(7);

type Attributes = typeof AttributesSchema.Type;

const AssignmentJson = Schema.parseJson(Assignment);
const encodeAssignment = Schema.encodeSync(AssignmentJson);
const decodeAssignment = Schema.decodeOption(AssignmentJson);

const assignmentKey = (
  clientId: string,
  experimentId: string,
  userId: string,
) => `assignment:${clientId}:${experimentId}:${userId}`;

const toAssignment = (
  experiment: ExperimentRecord,
  record: AssignmentRecord,
): Assignment => {
  const variant = experiment.variants.find(
    (candidate) => candidate.key === record.variantKey,
  );
  if (variant === undefined) {
    throw new Error(
      `Map assignment: variant ${record.variantKey} is not in experiment ` +
        `"${experiment.publicId}"`,
    );
  }

  return {
    id: record.publicId,
    experiment_id: experiment.publicId,
    variant_id: variant.publicId,
    variant_name: variant.name,
    user_id: record.userId,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
};

/** Users' assignments. */
export class AssignmentsService extends Effect.Service<AssignmentsService>()(
  "AssignmentsService",
  {
    effect: Effect.gen(function* () {
      const experiments = yield* ExperimentsService;
      const repository = yield* AssignmentsRepository;
      const cache = yield* AssignmentCache;

      const stored = (
        clientId: string,
        experiment: ExperimentRecord,
        userId: string,
        attributes: Attributes | undefined,
      ) =>
        Effect.gen(function* () {
          const existing = yield* repository.find(experiment.key, userId);
          if (Option.isSome(existing)) return existing.value;

          const variant = assignVariant(
            experiment.salt,
            userId,
            experiment.variants,
          );
          return yield* repository.insertOrGet({
            clientId,
            experimentKey: experiment.key,
            variantKey: variant.key,
            userId,
            publicId: uuidV7(),
            at: new Date(),
            attributes,
          });
        });

      /**
       * The user's assignment, made and stored (with its attributes) on the
       * first call. Reads go to the cache, then MySQL; only a user's first
       * call writes.
       */
      const assign = Effect.fn("AssignmentsService.assign")(function* (
        clientId: string,
        experimentId: string,
        userId: string,
        attributes?: Attributes,
      ) {
        const key = assignmentKey(clientId, experimentId, userId);
        const cached = Option.flatMap(yield* cache.get(key), decodeAssignment);
        if (Option.isSome(cached)) return cached.value;

        const experiment = yield* experiments.definition(
          clientId,
          experimentId,
        );
        const record = yield* stored(clientId, experiment, userId, attributes);
        const assignment = toAssignment(experiment, record);

        yield* cache.set(key, encodeAssignment(assignment), ASSIGNMENT_TTL);
        return assignment;
      });

      return { assign } as const;
    }),
    dependencies: [ExperimentsService.Default, AssignmentsRepository.Default],
  },
) {}
