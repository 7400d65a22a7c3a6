/**
 * Handlers of the results group.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { Effect } from "effect";
import { CurrentClient } from "../api/auth.ts";
import { Api } from "../api/mod.ts";
import { ResultsService } from "../services/results_service.ts";

/** Implements `GET /experiments/{id}/results`. */
export const ResultsHandlers = HttpApiBuilder.group(
  Api,
  "results",
  (handlers) =>
    Effect.gen(function* () {
      const results = yield* ResultsService;

      return handlers.handle("get", ({ path, urlParams }) =>
        Effect.flatMap(CurrentClient, ({ clientId }) =>
          results.results(clientId, path.experiment_id, urlParams.event_type),
        ),
      );
    }),
);
