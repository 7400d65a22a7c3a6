/**
 * An experiment's results: counts from SQL, rows from the pure domain.
 *
 * @module
 */
import { Effect } from "effect";
import { buildResultRows } from "../domain/results.ts";
import { AssignmentsRepository } from "../repositories/assignments_repository.ts";
import { EventsRepository } from "../repositories/events_repository.ts";
import { ExperimentsService } from "./experiments_service.ts";

/** Results of the calling client's experiments. */
export class ResultsService extends Effect.Service<ResultsService>()(
  "ResultsService",
  {
    effect: Effect.gen(function* () {
      const experiments = yield* ExperimentsService;
      const assignments = yield* AssignmentsRepository;
      const events = yield* EventsRepository;

      const results = Effect.fn("ResultsService.results")(function* (
        clientId: string,
        experimentId: string,
        eventTypes: ReadonlyArray<string> | undefined,
      ) {
        const experiment = yield* experiments.definition(
          clientId,
          experimentId,
        );

        const [userCounts, conversions] = yield* Effect.all(
          [
            assignments.countByVariant(experiment.key),
            events.conversions(clientId, experiment.key, eventTypes),
          ],
          { concurrency: 2 },
        );

        return buildResultRows(
          experiment.variants,
          userCounts,
          conversions,
          eventTypes,
        );
      });

      return { results } as const;
    }),
    dependencies: [
      ExperimentsService.Default,
      AssignmentsRepository.Default,
      EventsRepository.Default,
    ],
  },
) {}
