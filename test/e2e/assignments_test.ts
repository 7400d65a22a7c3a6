import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { HttpClientRequest } from "@effect/platform";
import { SqlClient } from "@effect/sql";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { makeClient } from "../../src/client/mod.ts";
import { assignVariant } from "../../src/domain/hashing.ts";
import {
  CLIENTS,
  clientFor,
  rawClient,
  TOKENS,
  testEnvironment,
  testServer,
} from "../support/harness.ts";

const createExperiment = (token: string = TOKENS.alpha) =>
  Effect.flatMap(clientFor(token), (client) =>
    client.experiments.create({
      payload: {
        name: "Checkout flow",
        variants: [
          { name: "control", traffic_allocation: 20 },
          { name: "one-page", traffic_allocation: 30 },
          { name: "two-page", traffic_allocation: 50 },
        ],
      },
    }),
  );

const assignmentRows = (experimentId: string, userId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const rows = yield* sql<{ readonly n: number }>`
      SELECT COUNT(*) AS n FROM assignments a
      JOIN experiments e ON e.id = a.experiment_id
      WHERE e.public_id = ${experimentId} AND a.user_id = ${userId}`;
    return Number(rows[0]?.n);
  });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

/** A second service process on the same database and Redis. */
const secondProcess = Effect.acquireRelease(
  Effect.promise(async () => {
    const port = await freePort();
    const env = Object.fromEntries(testEnvironment({ PORT: String(port) }));
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", "src/main.ts"],
      { env: { ...process.env, ...env }, stdio: "ignore" },
    );
    process.once("exit", () => child.kill("SIGKILL"));
    const url = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 300; attempt++) {
      const up = await fetch(`${url}/health`, {
        signal: AbortSignal.timeout(2_000),
      }).then(
        (response) => response.ok,
        () => false,
      );
      if (up) return { child, url };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGKILL");
    throw new Error("Start second service process: no answer in 30 s");
  }),
  ({ child }) => Effect.sync(() => child.kill("SIGTERM")),
);

layer(testServer(), { excludeTestServices: true })(
  "GET /experiments/{id}/assignment/{user_id}",
  (it) => {
    it.effect("get() assigns once and returns the same assignment after", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment();
        const path = { experiment_id: experiment.id, user_id: "user_12345" };

        const first = yield* client.assignments.get({ path });
        const second = yield* client.assignments.get({ path });

        assert.deepStrictEqual(second, first);
        assert.strictEqual(first.experiment_id, experiment.id);
        assert.strictEqual(first.user_id, "user_12345");
        assert.strictEqual(
          yield* assignmentRows(experiment.id, "user_12345"),
          1,
        );
      }),
    );

    it.effect("get() picks the variant that the hash of the user decides", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment();
        const variants = experiment.variants.map((variant) => ({
          ...variant,
          trafficAllocation: variant.traffic_allocation,
        }));
        const users = Array.from({ length: 60 }, (_, i) => `hash-user-${i}`);

        const assignments = yield* Effect.forEach(
          users,
          (user_id) =>
            client.assignments.get({
              path: { experiment_id: experiment.id, user_id },
            }),
          { concurrency: 10 },
        );

        for (const assignment of assignments) {
          const expected = assignVariant(
            experiment.id,
            assignment.user_id,
            variants,
          );
          assert.strictEqual(assignment.variant_id, expected.id);
          assert.strictEqual(assignment.variant_name, expected.name);
        }
        const seen = new Set(assignments.map((a) => a.variant_name));
        assert.strictEqual(seen.size, 3);
      }),
    );

    it.effect(
      "get() agrees across 30 concurrent first calls for one user",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment();
          const path = { experiment_id: experiment.id, user_id: "racer" };

          const answers = yield* Effect.all(
            Array.from({ length: 30 }, () => client.assignments.get({ path })),
            { concurrency: "unbounded" },
          );

          assert.strictEqual(new Set(answers.map((a) => a.id)).size, 1);
          assert.strictEqual(new Set(answers.map((a) => a.variant_id)).size, 1);
          assert.strictEqual(yield* assignmentRows(experiment.id, "racer"), 1);
        }),
    );

    it.effect(
      "get() agrees across two service processes racing for new users",
      () =>
        Effect.gen(function* () {
          const local = yield* clientFor(TOKENS.alpha);
          const other = yield* secondProcess;
          const remote = yield* makeClient({
            baseUrl: other.url,
            token: TOKENS.alpha,
          });
          const experiment = yield* createExperiment();
          const users = Array.from({ length: 20 }, (_, i) => `two-proc-${i}`);

          const answers = yield* Effect.forEach(
            users,
            (user_id) => {
              const path = { experiment_id: experiment.id, user_id };
              return Effect.all(
                [
                  local.assignments.get({ path }),
                  remote.assignments.get({ path }),
                  local.assignments.get({ path }),
                  remote.assignments.get({ path }),
                ],
                { concurrency: "unbounded" },
              );
            },
            { concurrency: "unbounded" },
          );

          for (const [index, group] of answers.entries()) {
            assert.strictEqual(new Set(group.map((a) => a.id)).size, 1);
            assert.strictEqual(
              yield* assignmentRows(experiment.id, `two-proc-${index}`),
              1,
            );
          }
        }).pipe(Effect.scoped),
      30_000,
    );

    it.effect("get() reads URL-encoded user ids with slashes and Unicode", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment();

        for (const user_id of ["a/b c?d", "josé@example.com", "ユーザー#1"]) {
          const assignment = yield* client.assignments.get({
            path: { experiment_id: experiment.id, user_id },
          });
          assert.strictEqual(assignment.user_id, user_id);
        }
      }),
    );

    it.effect(
      "get() treats user ids that differ only in case as two users",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment();
          const get = (user_id: string) =>
            client.assignments.get({
              path: { experiment_id: experiment.id, user_id },
            });

          const upper = yield* get("Alice");
          const lower = yield* get("alice");

          assert.notStrictEqual(upper.id, lower.id);
          assert.strictEqual(upper.user_id, "Alice");
          assert.strictEqual(lower.user_id, "alice");
        }),
    );

    it.effect("get() answers with and without a trailing slash", () =>
      Effect.gen(function* () {
        const http = yield* rawClient;
        const experiment = yield* createExperiment();
        const path = `/experiments/${experiment.id}/assignment/slash-user`;
        const get = (url: string) =>
          http
            .execute(
              HttpClientRequest.get(url).pipe(
                HttpClientRequest.bearerToken(TOKENS.alpha),
              ),
            )
            .pipe(
              Effect.flatMap((response) =>
                Effect.map(response.json, (json) => ({
                  status: response.status,
                  json: json as { id: string },
                })),
              ),
            );

        const plain = yield* get(path);
        const slashed = yield* get(`${path}/`);

        assert.strictEqual(plain.status, 200);
        assert.strictEqual(slashed.status, 200);
        assert.strictEqual(slashed.json.id, plain.json.id);
      }),
    );

    it.effect("get() answers 400 for a user id over 255 characters", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment();

        const error = yield* Effect.flip(
          client.assignments.get({
            path: { experiment_id: experiment.id, user_id: "u".repeat(256) },
          }),
        );

        assert.strictEqual(error._tag, "ParseError");
        const http = yield* rawClient;
        const response = yield* http.execute(
          HttpClientRequest.get(
            `/experiments/${experiment.id}/assignment/${"u".repeat(256)}`,
          ).pipe(HttpClientRequest.bearerToken(TOKENS.alpha)),
        );
        const json = (yield* response.json) as { detail: string };
        assert.strictEqual(response.status, 400);
        assert.match(json.detail, /user_id: is longer than 255 characters/);
      }),
    );

    it.effect("get() answers 404 for an unknown experiment", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);

        const error = yield* Effect.flip(
          client.assignments.get({
            path: {
              experiment_id: "01a23c5d-c55e-71d0-a9ee-92926bc7cf0a",
              user_id: "u1",
            },
          }),
        );

        assert.strictEqual(error._tag, "NotFound");
        if (error._tag === "NotFound") {
          assert.strictEqual(error.code, "not_found");
          assert.match(error.detail, /no experiment "01a23c5d-/);
        }
      }),
    );

    it.effect("get() answers 404 for another tenant's experiment", () =>
      Effect.gen(function* () {
        const beta = yield* clientFor(TOKENS.beta);
        const experiment = yield* createExperiment(TOKENS.alpha);

        const error = yield* Effect.flip(
          beta.assignments.get({
            path: { experiment_id: experiment.id, user_id: "u1" },
          }),
        );

        assert.strictEqual(error._tag, "NotFound");
        assert.strictEqual(yield* assignmentRows(experiment.id, "u1"), 0);
      }),
    );

    it.effect(
      "get() keeps the assignment in Redis under the run's prefix",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment();
          yield* client.assignments.get({
            path: { experiment_id: experiment.id, user_id: "cached-user" },
          });

          const key =
            `${inject("redisPrefix")}assignment:${CLIENTS.alpha}:` +
            `${experiment.id}:cached-user`;
          const stored = yield* Effect.acquireUseRelease(
            Effect.sync(() => new Redis(inject("redisUrl"))),
            (redis) => Effect.promise(() => redis.get(key)),
            (redis) => Effect.promise(() => redis.quit()),
          );

          assert.isNotNull(stored);
          assert.strictEqual(JSON.parse(stored ?? "{}").user_id, "cached-user");
        }),
    );
  },
);

layer(testServer({ REDIS_URL: "redis://127.0.0.1:1" }), {
  excludeTestServices: true,
})("with Redis unreachable", (it) => {
  it.effect("get() still assigns from MySQL within a bounded time", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.alpha);
      const experiment = yield* createExperiment();
      const path = { experiment_id: experiment.id, user_id: "no-redis" };
      const started = Date.now();

      const first = yield* client.assignments.get({ path });
      const second = yield* client.assignments.get({ path });

      assert.strictEqual(second.id, first.id);
      assert.isBelow(Date.now() - started, 5_000);
    }),
  );

  it.effect("ready() answers 503 naming Redis", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.alpha);

      const error = yield* Effect.flip(client.system.ready());

      assert.strictEqual(error._tag, "ServiceUnavailable");
      if (error._tag === "ServiceUnavailable") {
        assert.match(error.detail, /Redis unreachable/);
      }
    }),
  );
});

layer(testServer({ REDIS_URL: "" }), { excludeTestServices: true })(
  "without REDIS_URL",
  (it) => {
    it.effect("get() serves from the in-process cache and MySQL", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment();
        const path = { experiment_id: experiment.id, user_id: "local" };

        const first = yield* client.assignments.get({ path });
        const second = yield* client.assignments.get({ path });
        const ready = yield* client.system.ready();

        assert.strictEqual(second.id, first.id);
        assert.strictEqual(ready.redis, "disabled");
      }),
    );
  },
);
