import { HttpClientRequest } from "@effect/platform";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import {
  clientFor,
  rawClient,
  TOKENS,
  testServer,
} from "../support/harness.ts";

interface OpenApiDocument {
  readonly paths: Record<
    string,
    Record<string, { readonly summary: string; readonly description: string }>
  >;
  readonly components: {
    readonly securitySchemes: Record<string, { readonly scheme: string }>;
    readonly schemas: Record<string, { readonly examples?: unknown }>;
  };
}

const get = (path: string) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(HttpClientRequest.get(path));
    return { response, text: yield* response.text };
  });

layer(testServer(), { excludeTestServices: true })("system endpoints", (it) => {
  it.effect("health() answers ok without a token", () =>
    Effect.gen(function* () {
      const { response, text } = yield* get("/health");

      assert.strictEqual(response.status, 200);
      assert.deepStrictEqual(JSON.parse(text), { status: "ok" });
    }),
  );

  it.effect("ready() answers ready when MySQL and Redis are up", () =>
    Effect.gen(function* () {
      const client = yield* clientFor("no-token-needed");

      const ready = yield* client.system.ready();

      assert.deepStrictEqual(ready, {
        status: "ready",
        mysql: "up",
        redis: "up",
      });
    }),
  );

  it.effect("an unknown route answers 404 in the error shape", () =>
    Effect.gen(function* () {
      const { response, text } = yield* get("/nowhere?token=x");

      assert.strictEqual(response.status, 404);
      assert.deepStrictEqual(JSON.parse(text), {
        _tag: "NotFound",
        code: "not_found",
        detail: "Route request: no route for GET /nowhere",
      });
    }),
  );

  it.effect("every answer carries the caller's or a new request id", () =>
    Effect.gen(function* () {
      const http = yield* rawClient;

      const given = yield* http.execute(
        HttpClientRequest.get("/health").pipe(
          HttpClientRequest.setHeader("x-request-id", "trace-123"),
        ),
      );
      const fresh = yield* http.execute(HttpClientRequest.get("/health"));

      assert.strictEqual(given.headers["x-request-id"], "trace-123");
      assert.match(fresh.headers["x-request-id"] ?? "", /^[0-9a-f-]{36}$/);
    }),
  );

  it.effect(
    "/openapi.json describes every endpoint and the bearer scheme",
    () =>
      Effect.gen(function* () {
        const { response, text } = yield* get("/openapi.json");
        const spec = JSON.parse(text) as OpenApiDocument;
        const operations = Object.entries(spec.paths).flatMap(
          ([path, methods]) =>
            Object.entries(methods).map(([method, op]) => ({
              key: `${method.toUpperCase()} ${path}`,
              op,
            })),
        );

        assert.strictEqual(response.status, 200);
        assert.includeMembers(
          operations.map((o) => o.key),
          [
            "POST /experiments",
            "GET /experiments/{experiment_id}/assignment/{user_id}",
            "POST /events",
            "GET /experiments/{experiment_id}/results",
            "GET /experiments/{experiment_id}/report",
            "GET /health",
            "GET /ready",
          ],
        );
        for (const { op } of operations) {
          assert.isString(op.summary);
          assert.isAbove(String(op.description).length, 20);
        }
        assert.strictEqual(
          spec.components.securitySchemes.bearer?.scheme,
          "bearer",
        );
        assert.isDefined(spec.components.schemas.CreateExperiment?.examples);
        assert.notInclude(text, "HttpApiDecodeError");
      }),
  );

  it.effect("/docs serves a page that needs no network", () =>
    Effect.gen(function* () {
      const { response, text } = yield* get("/docs");

      assert.strictEqual(response.status, 200);
      assert.match(response.headers["content-type"] ?? "", /text\/html/);
      assert.include(text, "swagger");
      assert.notMatch(text, /<(script|link)[^>]+(src|href)="https?:/i);
      assert.include(text, "/experiments");
    }),
  );

  it.effect("the results endpoint needs a token", () =>
    Effect.gen(function* () {
      const { response } = yield* get(
        "/experiments/01a23c5d-c55e-71d0-a9ee-92926bc7cf0a/results",
      );

      assert.strictEqual(response.status, 401);
    }),
  );

  it.effect("a client can reach the API with a valid token", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.alpha);

      const health = yield* client.system.health();

      assert.deepStrictEqual(health, { status: "ok" });
    }),
  );
});
