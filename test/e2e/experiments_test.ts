import { HttpClientRequest } from "@effect/platform";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import type { CreateExperiment } from "../../src/api/experiments.ts";
import {
  CLIENTS,
  clientFor,
  countRows,
  rawClient,
  TOKENS,
  testServer,
} from "../support/harness.ts";

const twoVariants = {
  name: "Homepage button colour",
  variants: [
    { name: "control", traffic_allocation: 50 },
    { name: "treatment", traffic_allocation: 50 },
  ],
};

const postJson = (path: string, body: string, token: string = TOKENS.alpha) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(
      HttpClientRequest.post(path).pipe(
        HttpClientRequest.bearerToken(token),
        HttpClientRequest.bodyText(body, "application/json"),
      ),
    );
    const json = (yield* response.json) as Record<string, unknown>;
    return { status: response.status, headers: response.headers, json };
  });

layer(testServer(), { excludeTestServices: true })(
  "POST /experiments",
  (it) => {
    it.effect("create() answers 201 with the stored experiment", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);

        const experiment = yield* client.experiments.create({
          payload: { ...twoVariants, description: "Blue against red" },
        });

        assert.match(experiment.id, /^[0-9a-f-]{36}$/);
        assert.strictEqual(experiment.name, twoVariants.name);
        assert.strictEqual(experiment.description, "Blue against red");
        assert.strictEqual(experiment.status, "active");
        assert.deepStrictEqual(
          experiment.variants.map((v) => [v.name, v.traffic_allocation]),
          [
            ["control", 50],
            ["treatment", 50],
          ],
        );
        assert.notStrictEqual(
          experiment.variants[0]?.id,
          experiment.variants[1]?.id,
        );
        assert.deepStrictEqual(experiment.created_at, experiment.updated_at);
      }),
    );

    it.effect("create() answers JSON with snake_case fields and Z times", () =>
      Effect.gen(function* () {
        const { status, json } = yield* postJson(
          "/experiments",
          JSON.stringify(twoVariants),
        );

        assert.strictEqual(status, 201);
        assert.deepStrictEqual(Object.keys(json).sort(), [
          "created_at",
          "description",
          "id",
          "name",
          "status",
          "updated_at",
          "variants",
          "winner_variant_id",
        ]);
        assert.strictEqual(json.description, null);
        assert.match(String(json.created_at), /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      }),
    );

    it.effect("create() accepts the trailing-slash path", () =>
      Effect.gen(function* () {
        const { status } = yield* postJson(
          "/experiments/",
          JSON.stringify(twoVariants),
        );

        assert.strictEqual(status, 201);
      }),
    );

    it.effect("create() accepts decimal allocations that sum to 100", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);

        const experiment = yield* client.experiments.create({
          payload: {
            name: "Three ways",
            variants: [
              { name: "a", traffic_allocation: 33.33 },
              { name: "b", traffic_allocation: 33.33 },
              { name: "c", traffic_allocation: 33.34 },
            ],
          },
        });

        assert.deepStrictEqual(
          experiment.variants.map((v) => v.traffic_allocation),
          [33.33, 33.33, 33.34],
        );
      }),
    );

    const invalid: ReadonlyArray<readonly [string, unknown, RegExp]> = [
      ["an empty name", { ...twoVariants, name: "" }, /name: is empty/],
      ["a blank name", { ...twoVariants, name: "   " }, /name: is empty/],
      [
        "a name over 255 characters",
        { ...twoVariants, name: "x".repeat(256) },
        /name: is longer than 255 characters \(256\)/,
      ],
      [
        "a missing name",
        { variants: twoVariants.variants },
        /name: is missing/,
      ],
      [
        "one variant",
        { name: "x", variants: [{ name: "a", traffic_allocation: 100 }] },
        /variants: Expected at least 2 variants, got 1/,
      ],
      [
        "duplicate variant names",
        {
          name: "x",
          variants: [
            { name: "a", traffic_allocation: 50 },
            { name: "a", traffic_allocation: 50 },
          ],
        },
        /variant names to be unique/,
      ],
      [
        "an allocation of 0",
        {
          name: "x",
          variants: [
            { name: "a", traffic_allocation: 0 },
            { name: "b", traffic_allocation: 100 },
          ],
        },
        /variants\[0\]\.traffic_allocation: Expected a number greater than 0, got 0/,
      ],
      [
        "a negative allocation",
        {
          name: "x",
          variants: [
            { name: "a", traffic_allocation: -5 },
            { name: "b", traffic_allocation: 105 },
          ],
        },
        /greater than 0, got -5/,
      ],
      [
        "allocations that sum to 99",
        {
          name: "x",
          variants: [
            { name: "a", traffic_allocation: 49 },
            { name: "b", traffic_allocation: 50 },
          ],
        },
        /sum to 100, got 99/,
      ],
      [
        "a text allocation",
        {
          name: "x",
          variants: [
            { name: "a", traffic_allocation: "50" },
            { name: "b", traffic_allocation: 50 },
          ],
        },
        /variants\[0\]\.traffic_allocation: Expected number/,
      ],
      [
        "an empty variant name",
        {
          name: "x",
          variants: [
            { name: "", traffic_allocation: 50 },
            { name: "b", traffic_allocation: 50 },
          ],
        },
        /variants\[0\]\.name: is empty/,
      ],
      ["a JSON array", [], /Expected/],
    ];

    for (const [what, body, detail] of invalid) {
      it.effect(`create() answers 400 and stores nothing for ${what}`, () =>
        Effect.gen(function* () {
          const before = yield* countRows("experiments", CLIENTS.alpha);

          const { status, json } = yield* postJson(
            "/experiments",
            JSON.stringify(body),
          );

          assert.strictEqual(status, 400);
          assert.strictEqual(json.code, "invalid_request");
          assert.match(String(json.detail), detail);
          assert.strictEqual(
            yield* countRows("experiments", CLIENTS.alpha),
            before,
          );
        }),
      );
    }

    it.effect("create() reports every problem of a body at once", () =>
      Effect.gen(function* () {
        const { status, json } = yield* postJson(
          "/experiments",
          JSON.stringify({ name: "", variants: [] }),
        );

        assert.strictEqual(status, 400);
        assert.match(String(json.detail), /name: is empty/);
        assert.match(String(json.detail), /variants: Expected at least 2/);
      }),
    );

    it.effect("create() answers 400 with a detail for malformed JSON", () =>
      Effect.gen(function* () {
        const { status, json } = yield* postJson(
          "/experiments",
          '{"name": "x",',
        );

        assert.strictEqual(status, 400);
        assert.strictEqual(json.code, "invalid_request");
        assert.match(String(json.detail), /^Parse request body: invalid JSON/);
      }),
    );

    it.effect("create() answers 413 for a body over 1 MiB", () =>
      Effect.gen(function* () {
        const body = JSON.stringify({
          ...twoVariants,
          description: "x".repeat(1024 * 1024),
        });

        const { status, json } = yield* postJson("/experiments", body);

        assert.strictEqual(status, 413);
        assert.strictEqual(json.code, "payload_too_large");
        assert.match(String(json.detail), /over the limit of 1048576/);
      }),
    );

    it.effect("create() answers 401 with a challenge without a token", () =>
      Effect.gen(function* () {
        const http = yield* rawClient;

        const response = yield* http.execute(
          HttpClientRequest.post("/experiments").pipe(
            HttpClientRequest.bodyText(JSON.stringify(twoVariants)),
          ),
        );
        const json = (yield* response.json) as Record<string, unknown>;

        assert.strictEqual(response.status, 401);
        assert.strictEqual(
          response.headers["www-authenticate"],
          'Bearer realm="experiments"',
        );
        assert.strictEqual(json.code, "unauthorized");
        assert.match(String(json.detail), /missing bearer token/);
      }),
    );

    it.effect("create() answers 401 for an unknown or empty token", () =>
      Effect.gen(function* () {
        const unknown = yield* postJson(
          "/experiments",
          JSON.stringify(twoVariants),
          "not-a-token",
        );
        const empty = yield* postJson(
          "/experiments",
          JSON.stringify(twoVariants),
          "",
        );

        assert.strictEqual(unknown.status, 401);
        assert.match(String(unknown.json.detail), /unknown bearer token/);
        assert.strictEqual(empty.status, 401);
        assert.strictEqual(
          empty.headers["www-authenticate"] !== undefined,
          true,
        );
      }),
    );

    it.effect("makeClient() rejects an invalid payload before sending it", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const payload = {
          name: "x",
          variants: [{ name: "only", traffic_allocation: 100 }],
        } as CreateExperiment;

        const error = yield* Effect.flip(
          client.experiments.create({ payload }),
        );

        assert.strictEqual(error._tag, "ParseError");
      }),
    );
  },
);
