/**
 * All layer composition: configuration and connections, migrations, the
 * API handlers, the docs, the HTTP middleware and the Node server.
 *
 * @module
 */
import { createServer } from "node:http";
import {
  HttpApiBuilder,
  HttpApiSwagger,
  HttpMiddleware,
  HttpRouter,
  HttpServer,
} from "@effect/platform";
import { NodeHttpServer } from "@effect/platform-node";
import { Effect, Layer, Logger } from "effect";
import { Api } from "./api/mod.ts";
import { AssignmentCache } from "./cache/assignment_cache.ts";
import { AppConfig } from "./config.ts";
import { MigrationsLive } from "./db/migrator.ts";
import { MysqlLive } from "./db/mysql.ts";
import { AssignmentListingHandlers } from "./handlers/assignment_listing.ts";
import { AssignmentsHandlers } from "./handlers/assignments.ts";
import { AuthenticationLive } from "./handlers/auth.ts";
import { EventsHandlers } from "./handlers/events.ts";
import { ExperimentsHandlers } from "./handlers/experiments.ts";
import { ReportHandlers } from "./handlers/report.ts";
import { ResultsHandlers } from "./handlers/results.ts";
import { SystemHandlers } from "./handlers/system.ts";
import { ErrorsMiddlewareLive, requestLog } from "./http/middleware.ts";
import { EventsRepository } from "./repositories/events_repository.ts";
import { AssignmentsService } from "./services/assignments_service.ts";
import { ExperimentsService } from "./services/experiments_service.ts";
import { ReportService } from "./services/report_service.ts";
import { ResultsService } from "./services/results_service.ts";

/**
 * Settings, the MySQL pool and the cache. They are built first and
 * released last, after the HTTP server has drained.
 */
export const InfraLive = Layer.mergeAll(MysqlLive, AssignmentCache.layer).pipe(
  Layer.provideMerge(AppConfig.layer),
);

/** Log lines as JSON in production, logfmt elsewhere, at `LOG_LEVEL`. */
export const LoggingLive = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ jsonLogs, logLevel }) =>
    Layer.merge(
      jsonLogs ? Logger.json : Logger.logFmt,
      Logger.minimumLogLevel(logLevel),
    ),
  ),
);

const ServicesLive = Layer.mergeAll(
  ExperimentsService.Default,
  AssignmentsService.Default,
  ResultsService.Default,
  ReportService.Default,
  EventsRepository.Default,
);

const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([
    ExperimentsHandlers,
    AssignmentsHandlers,
    AssignmentListingHandlers,
    EventsHandlers,
    ResultsHandlers,
    ReportHandlers,
    SystemHandlers,
  ]),
  Layer.provide(AuthenticationLive),
  Layer.provide(ServicesLive),
);

/**
 * Route parameters as long as a 255-character user id, percent-encoded
 * (up to 12 characters each).
 */
const RouterConfigLive = HttpRouter.setRouterConfig({ maxParamLength: 4096 });

/**
 * The HTTP application on whatever `HttpServer` is provided: the API, the
 * OpenAPI document at `/openapi.json` and the docs page at `/docs`.
 * Migrations run before it serves.
 */
export const HttpAppLive = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ httpTracing }) =>
    HttpApiBuilder.serve(requestLog).pipe(
      Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
      Layer.provide(HttpApiBuilder.middlewareOpenApi()),
      Layer.provide(ErrorsMiddlewareLive),
      Layer.provide(ApiLive),
      HttpMiddleware.withTracerDisabledWhen(() => !httpTracing),
      HttpServer.withLogAddress,
      Layer.provide(MigrationsLive),
      Layer.provide(RouterConfigLive),
    ),
  ),
);

/**
 * A Node HTTP server on the configured host and port. It starts listening
 * only after the migrations ran, so no connection waits on a server that
 * cannot answer yet.
 */
export const NodeServerLive = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ host, port }) =>
    NodeHttpServer.layer(createServer, { host, port }),
  ),
).pipe(Layer.provide(MigrationsLive));

/** The whole service; it needs only a `ConfigProvider`. */
export const ServiceLive = HttpAppLive.pipe(
  Layer.provide(NodeServerLive),
  Layer.provide(LoggingLive),
  Layer.provide(InfraLive),
);
