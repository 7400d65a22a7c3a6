/**
 * Liveness and readiness probes; they need no token.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
import { ServiceUnavailable } from "./errors.ts";

/** A dependency's state in the readiness answer. */
export const DependencyState = Schema.Literal("up", "down", "disabled");

/** The readiness answer. */
export const Readiness = Schema.Struct({
  status: Schema.Literal("ready"),
  mysql: DependencyState,
  redis: DependencyState,
}).annotations({ identifier: "Readiness" });

/** Health and readiness. */
export class SystemGroup extends HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("health", "/health")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ok") }))
      .annotateContext(
        OpenApi.annotations({
          summary: "Liveness",
          description: "Answers 200 while the process serves requests.",
        }),
      ),
  )
  .add(
    HttpApiEndpoint.get("ready", "/ready")
      .addSuccess(Readiness)
      .addError(ServiceUnavailable)
      .annotateContext(
        OpenApi.annotations({
          summary: "Readiness",
          description:
            "Answers 200 when MySQL and Redis (if configured) answer " +
            "within a second, and 503 naming the one that does not.",
        }),
      ),
  )
  .annotateContext(
    OpenApi.annotations({
      title: "System",
      description: "Probes for orchestrators; no token needed",
    }),
  ) {}
