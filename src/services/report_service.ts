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
  totalsOfSeries,
} from "../domain/report.ts";
import {
  AnalysisRepository,
  type AnalysisScope,
  type Granularity,
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

      const valueCounts = (
        scope: AnalysisScope,
        query: typeof ReportQuery.Type,
      ) =>
        Effect.forEach(
          (query.value_metric ?? []).map(pairOf),
          ([eventType, property]) =>
            Effect.map(
              analysis.valueTotals(scope, eventType, property),
              (rows) => ({ eventType, property, rows }),
            ),
        );

      const timeSeries = (
        scope: AnalysisScope,
        query: typeof ReportQuery.Type,
        granularity: Granularity,
      ) =>
        Effect.all(
          {
            users: analysis.usersPerPeriod(scope, granularity),
            conversions: analysis.conversionsPerPeriod(
              scope,
              query.event_type,
              granularity,
            ),
          },
          { concurrency: 2 },
        ).pipe(Effect.map((rows) => ({ granularity, ...rows })));

      /**
       * The counts and the time series. A report with a time series and
       * without segments takes its users and conversions from the series'
       * rows, which add up to them, rather than counting them again.
       */
      const counts = (scope: AnalysisScope, query: typeof ReportQuery.Type) => {
        const granularity = query.granularity;
        const values = valueCounts(scope, query);

        if (granularity !== undefined && scope.segmentBy === undefined) {
          return Effect.all([timeSeries(scope, query, granularity), values], {
            concurrency: 2,
          }).pipe(
            Effect.map(([series, valueRows]) => ({
              counted: {
                ...totalsOfSeries(series.users, series.conversions),
                values: valueRows,
              },
              series,
            })),
          );
        }

        return Effect.all(
          {
            counted: Effect.all(
              {
                users: analysis.userCounts(scope),
                conversions: analysis.conversions(scope, query.event_type),
                values,
              },
              { concurrency: 3 },
            ),
            series:
              granularity === undefined
                ? Effect.succeed(undefined)
                : timeSeries(
                    { ...scope, segmentBy: undefined },
                    query,
                    granularity,
                  ),
          },
          { concurrency: 2 },
        );
      };

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

        const { counted, series } = yield* counts(scope, query);
        const overall = analyse(
          experiment.variants,
          counted,
          query.event_type,
          confidence,
        );
        const eventTypes = overall.conversions.map(
          (metric) => metric.event_type,
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
                        query.event_type ?? eventTypes,
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
                    eventTypes,
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
