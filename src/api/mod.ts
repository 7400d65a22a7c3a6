/**
 * The HTTP contract of the experimentation service. The server, the
 * OpenAPI document, the docs page and the typed client are all derived from
 * `Api`.
 *
 * @module
 */
import { HttpApi, OpenApi } from "@effect/platform";
import { AssignmentListingGroup } from "./assignment_listing.ts";
import { AssignmentsGroup } from "./assignments.ts";
import {
  InternalError,
  InvalidRequest,
  NotFound,
  PayloadTooLarge,
  ServiceUnavailable,
} from "./errors.ts";
import { EventsGroup } from "./events.ts";
import { ExperimentsGroup } from "./experiments.ts";
import { tidyOpenApi } from "./openapi.ts";
import { ReportGroup } from "./report.ts";
import { ResultsGroup } from "./results.ts";
import { SystemGroup } from "./system.ts";

export * from "./assignment_listing.ts";
export * from "./assignments.ts";
export * from "./auth.ts";
export * from "./common.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./experiments.ts";
export * from "./report.ts";
export * from "./results.ts";
export * from "./system.ts";

/** The whole API: every endpoint group and the errors any call can meet. */
export class Api extends HttpApi.make("experiments-service")
  .add(ExperimentsGroup)
  .add(AssignmentsGroup)
  .add(AssignmentListingGroup)
  .add(EventsGroup)
  .add(ResultsGroup)
  .add(ReportGroup)
  .add(SystemGroup)
  .addError(InvalidRequest)
  .addError(NotFound)
  .addError(PayloadTooLarge)
  .addError(ServiceUnavailable)
  .addError(InternalError)
  .annotateContext(
    OpenApi.annotations({
      title: "Experimentation service",
      version: "1.0.0",
      description:
        "Run A/B tests: create experiments with weighted variants, get " +
        "sticky assignments, record events and read results. Every " +
        "endpoint but the probes and the docs needs a bearer token; " +
        "errors are JSON with a detail and a code.",
      transform: tidyOpenApi,
    }),
  ) {}
