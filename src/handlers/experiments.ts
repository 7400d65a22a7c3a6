/**
 * Handlers of the experiments group.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { Effect } from "effect";
import { CurrentClient } from "../api/auth.ts";
import { Api } from "../api/mod.ts";
import { ExperimentsService } from "../services/experiments_service.ts";

/** Implements `POST /experiments`. */
export const ExperimentsHandlers = HttpApiBuilder.group(
  Api,
  "experiments",
  (handlers) =>
    Effect.gen(function* () {
      const experiments = yield* ExperimentsService;

      return handlers.handle("create", ({ payload }) =>
        Effect.flatMap(CurrentClient, ({ clientId }) =>
          experiments.create(clientId, payload),
        ),
      );
    }),
);
