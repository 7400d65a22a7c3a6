/**
 * Handlers of the report group.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { Effect } from "effect";
import { CurrentClient } from "../api/auth.ts";
import { Api } from "../api/mod.ts";
import { ReportService } from "../services/report_service.ts";

/** Implements `GET /experiments/{id}/report`. */
export const ReportHandlers = HttpApiBuilder.group(Api, "report", (handlers) =>
  Effect.gen(function* () {
    const reports = yield* ReportService;

    return handlers.handle("get", ({ path, urlParams }) =>
      Effect.flatMap(CurrentClient, ({ clientId }) =>
        reports.report(clientId, path.experiment_id, urlParams),
      ),
    );
  }),
);
