/**
 * An experiment's results: counts from SQL, rows and statistics from the
 * pure domain.
 *
 * @module
 */
import { Effect } from "effect";
import type { ResultsQuery } from "../api/results.ts";
import { buildResultRows } from "../domain/results.ts";
import {
  AnalysisRepository,
  type AnalysisWindow,
} from "../repositories/analysis_repository.ts";
import { ExperimentsService } from "./experiments_service.ts";

/** The confidence level when the caller names none. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * The analysis window a query asks for.
 *
 * @param query The decoded `from`, `to` and `conversion_window`.
 * @returns The window.
 *
 * @example
 * ```ts
 * windowOf({ conversion_window: 604_800_000 });
 * ```
 */
export const windowOf = (query: {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly conversion_window?: number | undefined;
}): AnalysisWindow => ({
  from: query.from,
  to: query.to,
  conversionWindowMs: query.conversion_window,
});

/** Results of the calling client's experiments. */
export class ResultsService extends Effect.Service<ResultsService>()(
  "ResultsService",
  {
    effect: Effect.gen(function* () {
      const experiments = yield* ExperimentsService;
      const analysis = yield* AnalysisRepository;

      const results = Effect.fn("ResultsService.results")(function* (
        clientId: string,
        experimentId: string,
        query: typeof ResultsQuery.Type,
      ) {
        const experiment = yield* experiments.definition(
          clientId,
          experimentId,
        );

        const scope = {
          clientId,
          experimentKey: experiment.key,
          window: windowOf(query),
          filters: [],
        };

        const [userCounts, conversions] = yield* Effect.all(
          [
            analysis.userCounts(scope),
            analysis.conversions(scope, query.event_type),
          ],
          { concurrency: 2 },
        );

        return buildResultRows(
          experiment.variants,
          userCounts,
          conversions,
          query.event_type,
          query.confidence ?? DEFAULT_CONFIDENCE,
        );
      });

      return { results } as const;
    }),
    dependencies: [ExperimentsService.Default, AnalysisRepository.Default],
  },
) {}
