/**
 * End-to-end test harness: the real service, in process, on a free port,
 * against the run's own MySQL database and Redis key prefix, reached
 * through the typed client.
 *
 * @module
 */
import {
  FetchHttpClient,
  HttpClient,
  HttpClientRequest,
  HttpServer,
} from "@effect/platform";
import { SqlClient } from "@effect/sql";
import { ConfigProvider, Effect, Layer } from "effect";
import { inject } from "vitest";
import { makeClient } from "../../src/client/mod.ts";
import {
  HttpAppLive,
  InfraLive,
  LoggingLive,
  NodeServerLive,
} from "../../src/server.ts";

/** A unique name, so tests sharing a database do not see each other. */
export const unique = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Tokens of the two tenants every test server knows. */
export const TOKENS = {
  alpha: "token-alpha-1234567890",
  beta: "token-beta-0987654321",
} as const;

/** The tenants' client ids, new for each test file. */
export const CLIENTS = {
  alpha: unique("alpha"),
  beta: unique("beta"),
} as const;

/**
 * The settings of a test server, as environment variables.
 *
 * @param overrides Variables to change, such as `REDIS_URL`.
 * @returns The variables.
 */
export function testEnvironment(
  overrides: Readonly<Record<string, string>> = {},
): Map<string, string> {
  return new Map(
    Object.entries({
      DATABASE_URL: inject("mysqlUrl"),
      REDIS_URL: inject("redisUrl"),
      REDIS_KEY_PREFIX: inject("redisPrefix"),
      VALID_TOKENS: `${TOKENS.alpha},${TOKENS.beta}`,
      TOKEN_CLIENT_ID_MAP: `${TOKENS.alpha}:${CLIENTS.alpha},${TOKENS.beta}:${CLIENTS.beta}`,
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "Error",
      ...overrides,
    }),
  );
}

/**
 * A running service for a test file. Besides the server it exposes the
 * SQL client, so tests can check what was (or was not) stored.
 *
 * @param overrides Environment variables to change.
 * @returns The layer.
 */
export const testServer = (overrides: Readonly<Record<string, string>> = {}) =>
  HttpAppLive.pipe(
    Layer.provideMerge(NodeServerLive),
    Layer.provide(LoggingLive),
    Layer.provideMerge(InfraLive),
    Layer.provideMerge(FetchHttpClient.layer),
    Layer.provide(
      Layer.setConfigProvider(
        ConfigProvider.fromMap(testEnvironment(overrides)),
      ),
    ),
  );

/** The base URL of the server under test. */
export const baseUrl = HttpServer.addressFormattedWith((address) =>
  Effect.succeed(address),
);

/**
 * The typed client of the server under test, for one tenant.
 *
 * @param token The bearer token.
 * @returns The client.
 */
export const clientFor = (token: string) =>
  Effect.flatMap(baseUrl, (url) => makeClient({ baseUrl: url, token }));

/**
 * A plain HTTP client with the server's base URL, for what the typed
 * client cannot send (malformed JSON, raw headers, trailing slashes).
 */
export const rawClient = Effect.gen(function* () {
  const url = yield* baseUrl;
  const client = yield* HttpClient.HttpClient;
  return client.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(url)));
});

/**
 * Sends a GET with the tenant's token through the plain client.
 *
 * @param path The path and query, such as `/experiments/x/results?a=b`.
 * @param token The bearer token.
 * @returns The status and the `detail` of the JSON answer.
 */
export const statusAndDetail = (path: string, token: string) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(
      HttpClientRequest.get(path).pipe(HttpClientRequest.bearerToken(token)),
    );
    const json = (yield* response.json) as { readonly detail: string };
    return [response.status, json.detail] as const;
  });

/**
 * Counts rows of a table that match a condition, to prove what was stored.
 *
 * @param table The table.
 * @param clientId The tenant whose rows to count.
 * @returns The count.
 */
export const countRows = (table: string, clientId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const rows = yield* sql<{
      readonly n: number;
    }>`SELECT COUNT(*) AS n FROM ${sql(table)} WHERE client_id = ${clientId}`;
    return Number(rows[0]?.n ?? 0);
  });
