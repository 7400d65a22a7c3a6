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
import { newUserPolicy } from "../domain/lifecycle.ts";
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
    enrolled: true,
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

      const enroll = (
        clientId: string,
        experiment: ExperimentRecord,
        userId: string,
        attributes: Attributes | undefined,
      ) =>
        repository.insertOrGet({
          clientId,
          experimentKey: experiment.key,
          variantKey: assignVariant(
            experiment.salt,
            userId,
            experiment.variants,
          ).key,
          userId,
          publicId: uuidV7(),
          at: new Date(),
          attributes,
        });

      const unenrolled = (
        experiment: ExperimentRecord,
        userId: string,
        variantIndex: number,
      ): Assignment => {
        const variant = experiment.variants[variantIndex] ??
          experiment.variants[0] ?? { publicId: "", name: "" };
        const now = new Date();
        return {
          id: null,
          experiment_id: experiment.publicId,
          variant_id: variant.publicId,
          variant_name: variant.name,
          user_id: userId,
          enrolled: false,
          created_at: now,
          updated_at: now,
        };
      };

      /**
       * The user's assignment. A user who has one keeps it in every
       * status. A new user is enrolled (hashed, stored with the
       * attributes, counted) only while the experiment is active, and is
       * otherwise served the control or the winner without being stored.
       * Reads go to the cache, then MySQL; only an enrolment writes.
       */
      const resolve = <E>(
        clientId: string,
        experimentId: string,
        userId: string,
        attributes: Attributes | undefined,
        definition: Effect.Effect<ExperimentRecord, E>,
      ) =>
        Effect.gen(function* () {
          const key = assignmentKey(clientId, experimentId, userId);
          const cached = Option.flatMap(
            yield* cache.get(key),
            decodeAssignment,
          );
          if (Option.isSome(cached)) return cached.value;

          const experiment = yield* definition;
          const existing = yield* repository.find(experiment.key, userId);
          const winnerIndex = experiment.variants.findIndex(
            (variant) => variant.key === experiment.winnerVariantKey,
          );
          const policy = newUserPolicy(
            experiment.status,
            winnerIndex === -1 ? undefined : winnerIndex,
          );
          if (Option.isNone(existing) && policy.kind === "serve") {
            return unenrolled(experiment, userId, policy.variantIndex);
          }

          const record = Option.isSome(existing)
            ? existing.value
            : yield* enroll(clientId, experiment, userId, attributes);
          const assignment = toAssignment(experiment, record);

          yield* cache.set(key, encodeAssignment(assignment), ASSIGNMENT_TTL);
          return assignment;
        });

      /** The user's assignment in one experiment; see `resolve`. */
      const assign = Effect.fn("AssignmentsService.assign")(function* (
        clientId: string,
        experimentId: string,
        userId: string,
        attributes?: Attributes,
      ) {
        return yield* resolve(
          clientId,
          experimentId,
          userId,
          attributes,
          experiments.definition(clientId, experimentId),
        );
      });

      /**
       * A user's assignments in every active experiment of the client, or
       * in the ones listed, each by the rules of `assign`. Every listed
       * experiment is found before anything is stored, so an unknown id
       * leaves nothing behind.
       */
      const assignMany = Effect.fn("AssignmentsService.assignMany")(function* (
        clientId: string,
        userId: string,
        experimentIds: ReadonlyArray<string> | undefined,
        attributes?: Attributes,
      ) {
        const ids =
          experimentIds === undefined
            ? yield* experiments.activeIds(clientId)
            : [...new Set(experimentIds)];
        const definitions = yield* Effect.forEach(
          ids,
          (experimentId) => experiments.definition(clientId, experimentId),
          { concurrency: 8 },
        );

        const assignments = yield* Effect.forEach(
          definitions,
          (experiment) =>
            resolve(
              clientId,
              experiment.publicId,
              userId,
              attributes,
              Effect.succeed(experiment),
            ),
          { concurrency: 8 },
        );
        return { user_id: userId, assignments };
      });

      return { assign, assignMany } as const;
    }),
    dependencies: [ExperimentsService.Default, AssignmentsRepository.Default],
  },
) {}
