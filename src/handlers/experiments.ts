/**
 * Handlers of the experiments group.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { Effect } from "effect";
import { CurrentClient } from "../api/auth.ts";
import { InvalidRequest } from "../api/errors.ts";
import { Api } from "../api/mod.ts";
import { ExperimentsService } from "../services/experiments_service.ts";

const idempotencyKeyOf = (header: string | undefined) => {
  if (header === undefined) return Effect.succeed(undefined);
  const key = header.trim();
  return key !== "" && key.length <= 255
    ? Effect.succeed(key)
    : Effect.fail(
        new InvalidRequest({
          detail:
            "Validate request: Idempotency-Key: expected 1 to 255 " +
            `characters, got ${key.length}`,
        }),
      );
};

/** Implements the experiments endpoints. */
export const ExperimentsHandlers = HttpApiBuilder.group(
  Api,
  "experiments",
  (handlers) =>
    Effect.gen(function* () {
      const experiments = yield* ExperimentsService;

      return handlers
        .handle("create", ({ payload, request }) =>
          Effect.gen(function* () {
            const { clientId } = yield* CurrentClient;
            const key = yield* idempotencyKeyOf(
              request.headers["idempotency-key"],
            );
            return yield* experiments.create(clientId, payload, key);
          }),
        )
        .handle("list", ({ urlParams }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            experiments.list(clientId, urlParams),
          ),
        )
        .handle("get", ({ path }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            experiments.detail(clientId, path.experiment_id),
          ),
        )
        .handle("update", ({ path, payload }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            experiments.update(clientId, path.experiment_id, payload),
          ),
        );
    }),
);
