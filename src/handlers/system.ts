/**
 * Handlers of the system group: liveness and readiness.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { SqlClient } from "@effect/sql";
import { Duration, Effect } from "effect";
import { ServiceUnavailable } from "../api/errors.ts";
import { Api } from "../api/mod.ts";
import { AssignmentCache } from "../cache/assignment_cache.ts";

const PROBE_DEADLINE = Duration.seconds(1);

/** Implements `GET /health` and `GET /ready`. */
export const SystemHandlers = HttpApiBuilder.group(Api, "system", (handlers) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const cache = yield* AssignmentCache;

    const mysql = sql`SELECT 1`.pipe(
      Effect.timeout(PROBE_DEADLINE),
      Effect.as("up" as const),
      Effect.orElseSucceed(() => "down" as const),
    );

    const redis = cache.ping.pipe(
      Effect.timeout(PROBE_DEADLINE),
      Effect.orElseSucceed(() => "down" as const),
    );

    return handlers
      .handle("health", () => Effect.succeed({ status: "ok" as const }))
      .handle("ready", () =>
        Effect.gen(function* () {
          const [database, cached] = yield* Effect.all([mysql, redis], {
            concurrency: 2,
          });
          const down = [
            ...(database === "down" ? ["MySQL"] : []),
            ...(cached === "down" ? ["Redis"] : []),
          ];

          if (down.length > 0) {
            return yield* new ServiceUnavailable({
              detail: `Check readiness: ${down.join(" and ")} unreachable`,
            });
          }
          return { status: "ready" as const, mysql: database, redis: cached };
        }),
      );
  }),
);
