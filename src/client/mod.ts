/**
 * The typed client of the experimentation service, derived from the same
 * `Api` definition as the server, so requests and answers are checked at
 * compile time and decoded at run time.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform";
 * import { Effect } from "effect";
 * import { makeClient } from "experiments-service/client";
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* makeClient({
 *     baseUrl: "http://localhost:5000",
 *     token: "test-token-123",
 *   });
 *   const experiment = yield* client.experiments.create({
 *     payload: {
 *       name: "Homepage button colour",
 *       variants: [
 *         { name: "control", traffic_allocation: 50 },
 *         { name: "treatment", traffic_allocation: 50 },
 *       ],
 *     },
 *   });
 *   return yield* client.assignments.get({
 *     path: { experiment_id: experiment.id, user_id: "user_12345" },
 *   });
 * });
 *
 * Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer)));
 * ```
 *
 * @module
 */
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform";
import type { Effect } from "effect";
import { Api } from "../api/mod.ts";

export * from "../api/mod.ts";

/** Where the service is and which token to send. */
export interface ClientOptions {
  /** Such as `http://localhost:5000`. */
  readonly baseUrl: string;
  /** A bearer token from the service's `TOKEN_CLIENT_ID_MAP`. */
  readonly token: string;
}

/**
 * Makes a client whose methods mirror the API's groups and endpoints, such
 * as `experiments.create`, `experiments.list`, `experiments.update`,
 * `assignments.get`, `assignments.forUser`, `events.record`,
 * `events.recordBatch`, `events.list`, `assignmentListing.list`,
 * `results.get`, `report.get` and `system.ready`. Errors arrive as the API's tagged errors, such as
 * `NotFound`, `Conflict` or `InvalidRequest`.
 *
 * @param options The base URL and the token.
 * @returns The client, given an `HttpClient` (for example
 * `FetchHttpClient.layer`).
 *
 * @example
 * ```ts
 * const client = yield* makeClient({ baseUrl, token });
 * ```
 */
export const makeClient = (options: ClientOptions) =>
  HttpApiClient.make(Api, {
    baseUrl: options.baseUrl,
    transformClient: HttpClient.mapRequest(
      HttpClientRequest.bearerToken(options.token),
    ),
  });

/** The client's type. */
export type ExperimentsClient = Effect.Effect.Success<
  ReturnType<typeof makeClient>
>;
