/**
 * Handlers of the results group.
 *
 * @module
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform";
import { Effect } from "effect";
import { CurrentClient } from "../api/auth.ts";
import { Api } from "../api/mod.ts";
import { resultsCsv } from "../domain/results.ts";
import { ResultsService } from "../services/results_service.ts";

const wantsCsv = (accept: string | undefined) =>
  accept !== undefined && /\btext\/csv\b/i.test(accept);

/**
 * Implements `GET /experiments/{id}/results`, as JSON or, for
 * `Accept: text/csv`, as CSV.
 */
export const ResultsHandlers = HttpApiBuilder.group(
  Api,
  "results",
  (handlers) =>
    Effect.gen(function* () {
      const results = yield* ResultsService;

      return handlers.handle("get", ({ path, urlParams, request }) =>
        Effect.gen(function* () {
          const { clientId } = yield* CurrentClient;
          const rows = yield* results.results(
            clientId,
            path.experiment_id,
            urlParams,
          );

          if (!wantsCsv(request.headers.accept)) return rows;
          return HttpServerResponse.text(resultsCsv(rows), {
            contentType: "text/csv; charset=utf-8",
            headers: {
              "content-disposition": `attachment; filename="results-${path.experiment_id}.csv"`,
            },
          });
        }),
      );
    }),
);
