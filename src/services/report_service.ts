/**
 * Experiment reports: aggregate counts from SQL, statistics, segments,
 * time series and the summary from the pure domain.
 *
 * @module
 */
import { Effect } from "effect";
import { pairOf, type Report, type ReportQuery } from "../api/report.ts";
import {
  analyse,
  buildTimeSeries,
  splitSegments,
  summarize,
} from "../domain/report.ts";
import {
  AnalysisRepository,
  type AnalysisScope,
} from "../repositories/analysis_repository.ts";
import { ExperimentsService } from "./experiments_service.ts";
import { DEFAULT_CONFIDENCE, windowOf } from "./results_service.ts";

/** How many segment values a report shows apart. */
export const SEGMENT_LIMIT = 20;

/** Reports on the calling client's experiments. */
export class ReportService extends Effect.Service<ReportService>()(
  "ReportService",
  {
    effect: Effect.gen(function* () {
      const experiments = yield* ExperimentsService;
      const analysis = yield* AnalysisRepository;

      const counts = (scope: AnalysisScope, query: typeof ReportQuery.Type) => {
        const metrics = (query.value_metric ?? []).map(pairOf);
        return Effect.all(
          {
            users: analysis.userCounts(scope),
            conversions: analysis.conversions(scope, query.event_type),
            values: Effect.forEach(metrics, ([eventType, property]) =>
              Effect.map(
                analysis.valueTotals(scope, eventType, property),
                (rows) => ({ eventType, property, rows }),
              ),
            ),
          },
          { concurrency: 3 },
        );
      };

      const timeSeries = (
        scope: AnalysisScope,
        query: typeof ReportQuery.Type,
        eventTypes: ReadonlyArray<string>,
      ) =>
        Effect.gen(function* () {
          const granularity = query.granularity;
          if (granularity === undefined) return undefined;

          const overall = { ...scope, segmentBy: undefined };
          const [users, conversions] = yield* Effect.all(
            [
              analysis.usersPerPeriod(overall, granularity),
              analysis.conversionsPerPeriod(
                overall,
                query.event_type,
                granularity,
              ),
            ],
            { concurrency: 2 },
          );
          return { granularity, users, conversions, eventTypes };
        });

      const report = Effect.fn("ReportService.report")(function* (
        clientId: string,
        experimentId: string,
        query: typeof ReportQuery.Type,
      ) {
        const experiment = yield* experiments.definition(
          clientId,
          experimentId,
        );
        const confidence = query.confidence ?? DEFAULT_CONFIDENCE;
        const scope: AnalysisScope = {
          clientId,
          experimentKey: experiment.key,
          window: windowOf(query),
          filters: (query.segment ?? []).map(pairOf),
          segmentBy: query.segment_by,
        };

        const counted = yield* counts(scope, query);
        const overall = analyse(
          experiment.variants,
          counted,
          query.event_type,
          confidence,
        );
        const series = yield* timeSeries(
          scope,
          query,
          overall.conversions.map((metric) => metric.event_type),
        );
        const { sentences, warnings } = summarize(overall, confidence);

        const body: Report = {
          experiment_id: experiment.publicId,
          experiment_name: experiment.name,
          status: experiment.status,
          confidence,
          window: {
            from: query.from ?? null,
            to: query.to ?? null,
            conversion_window_seconds:
              query.conversion_window === undefined
                ? null
                : query.conversion_window / 1000,
          },
          generated_at: new Date(),
          srm: overall.srm,
          overall,
          segments:
            query.segment_by === undefined
              ? null
              : {
                  attribute: query.segment_by,
                  groups: splitSegments(counted, SEGMENT_LIMIT).map(
                    (group) => ({
                      value: group.value,
                      ...analyse(
                        experiment.variants,
                        group.counts,
                        query.event_type ??
                          overall.conversions.map((m) => m.event_type),
                        confidence,
                      ),
                    }),
                  ),
                },
          time_series:
            series === undefined
              ? null
              : {
                  granularity: series.granularity,
                  points: buildTimeSeries(
                    experiment.variants,
                    series.users,
                    series.conversions,
                    series.eventTypes,
                    series.granularity,
                  ),
                },
          summary: sentences,
          warnings,
        };
        return body;
      });

      return { report } as const;
    }),
    dependencies: [ExperimentsService.Default, AnalysisRepository.Default],
  },
) {}
