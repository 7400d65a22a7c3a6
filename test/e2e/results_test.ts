import { HttpClientRequest } from "@effect/platform";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import type { ExperimentsClient } from "../../src/client/mod.ts";
import {
  clientFor,
  rawClient,
  TOKENS,
  testServer,
} from "../support/harness.ts";

const inAnHour = () => new Date(Date.now() + 60 * 60 * 1000);
const anHourAgo = () => new Date(Date.now() - 60 * 60 * 1000);

const setUp = (client: ExperimentsClient) =>
  Effect.gen(function* () {
    const experiment = yield* client.experiments.create({
      payload: {
        name: "Results",
        variants: [
          { name: "control", traffic_allocation: 50 },
          { name: "treatment", traffic_allocation: 50 },
        ],
      },
    });
    const assign = (user_id: string) =>
      client.assignments.get({
        path: { experiment_id: experiment.id, user_id },
      });
    const send = (user_id: string, type: string, timestamp: Date) =>
      client.events.record({ payload: { user_id, type, timestamp } });
    const results = (event_type?: ReadonlyArray<string>) =>
      client.results.get({
        path: { experiment_id: experiment.id },
        urlParams: event_type === undefined ? {} : { event_type },
      });
    return { experiment, assign, send, results };
  });

layer(testServer(), { excludeTestServices: true })(
  "GET /experiments/{id}/results",
  (it) => {
    it.effect("get() counts users and converted users per variant", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);
        const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
        const assignments = yield* Effect.forEach(users, assign, {
          concurrency: 8,
        });
        const buyers = users.filter((_, i) => i % 4 === 0);
        const signups = users.filter((_, i) => i % 5 === 0);

        for (const user of buyers) {
          yield* send(user, "purchase", inAnHour());
          yield* send(user, "purchase", inAnHour());
        }
        for (const user of signups) yield* send(user, "signup", inAnHour());

        const rows = yield* results();

        const variantOf = new Map(
          assignments.map((a) => [a.user_id, a.variant_name]),
        );
        const expected = (type: string, who: ReadonlyArray<string>) =>
          ["control", "treatment"].map((variant) => {
            const members = users.filter((u) => variantOf.get(u) === variant);
            const converted = who.filter((u) => variantOf.get(u) === variant);
            return [
              type,
              variant,
              members.length,
              converted.length,
              members.length === 0 ? 0 : converted.length / members.length,
            ];
          });
        assert.deepStrictEqual(
          rows.map((row) => [
            row.event_type,
            row.variant_name,
            row.user_count,
            row.user_count_event_type,
            row.conversion_rate,
          ]),
          [...expected("purchase", buyers), ...expected("signup", signups)],
        );
      }),
    );

    it.effect("get() ignores events from before the user's assignment", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);

        yield* send("early", "purchase", anHourAgo());
        const assignment = yield* assign("early");
        const rows = yield* results();

        const own = rows.find(
          (row) => row.variant_name === assignment.variant_name,
        );
        assert.strictEqual(own?.event_type, "purchase");
        assert.strictEqual(own?.user_count, 1);
        assert.strictEqual(own?.user_count_event_type, 0);
        assert.strictEqual(own?.conversion_rate, 0);
      }),
    );

    it.effect("get() counts an event at the moment of assignment", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);

        const assignment = yield* assign("instant");
        yield* send("instant", "purchase", assignment.created_at);
        const rows = yield* results(["purchase"]);

        const own = rows.find(
          (row) => row.variant_name === assignment.variant_name,
        );
        assert.strictEqual(own?.user_count_event_type, 1);
      }),
    );

    it.effect("get() counts users who sent no events", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);

        yield* Effect.forEach(
          ["quiet-1", "quiet-2", "quiet-3", "loud"],
          assign,
        );
        yield* send("loud", "purchase", inAnHour());
        const rows = yield* results();

        const total = rows.reduce((sum, row) => sum + row.user_count, 0);
        assert.strictEqual(total, 4);
      }),
    );

    it.effect(
      "get() answers an empty list for an experiment with no events",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const { assign, results } = yield* setUp(client);

          yield* assign("lonely");

          assert.deepStrictEqual(yield* results(), []);
        }),
    );

    it.effect("get() answers zero rows for a filter that matches nothing", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);
        yield* assign("someone");
        yield* send("someone", "purchase", inAnHour());

        const rows = yield* results(["refund"]);

        assert.deepStrictEqual(
          rows.map((row) => [
            row.event_type,
            row.variant_name,
            row.user_count_event_type,
            row.conversion_rate,
          ]),
          [
            ["refund", "control", 0, 0],
            ["refund", "treatment", 0, 0],
          ],
        );
      }),
    );

    it.effect("get() reports exactly the types asked for, in that order", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);
        yield* assign("typed");
        yield* send("typed", "purchase", inAnHour());
        yield* send("typed", "signup", inAnHour());
        yield* send("typed", "view", inAnHour());

        const rows = yield* results(["view", "purchase"]);

        assert.deepStrictEqual(
          [...new Set(rows.map((row) => row.event_type))],
          ["view", "purchase"],
        );
      }),
    );

    it.effect("get() reads a repeated event_type query parameter", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { experiment, assign, send } = yield* setUp(client);
        yield* assign("query");
        yield* send("query", "signup", inAnHour());
        const http = yield* rawClient;

        const response = yield* http.execute(
          HttpClientRequest.get(
            `/experiments/${experiment.id}/results/?event_type=purchase&event_type=signup`,
          ).pipe(HttpClientRequest.bearerToken(TOKENS.alpha)),
        );
        const rows = (yield* response.json) as ReadonlyArray<{
          readonly event_type: string;
          readonly user_count_event_type: number;
        }>;

        assert.strictEqual(response.status, 200);
        assert.deepStrictEqual(
          rows.map((row) => row.event_type),
          ["purchase", "purchase", "signup", "signup"],
        );
        assert.strictEqual(
          rows.reduce((sum, row) => sum + row.user_count_event_type, 0),
          1,
        );
      }),
    );

    it.effect("get() keeps another tenant's events for the same user out", () =>
      Effect.gen(function* () {
        const alpha = yield* clientFor(TOKENS.alpha);
        const beta = yield* clientFor(TOKENS.beta);
        const { assign, results } = yield* setUp(alpha);
        yield* assign("shared-user");

        yield* beta.events.record({
          payload: {
            user_id: "shared-user",
            type: "purchase",
            timestamp: inAnHour(),
          },
        });

        assert.deepStrictEqual(yield* results(), []);
      }),
    );

    it.effect("get() answers 404 for another tenant's experiment", () =>
      Effect.gen(function* () {
        const alpha = yield* clientFor(TOKENS.alpha);
        const beta = yield* clientFor(TOKENS.beta);
        const { experiment } = yield* setUp(alpha);

        const error = yield* Effect.flip(
          beta.results.get({
            path: { experiment_id: experiment.id },
            urlParams: {},
          }),
        );

        assert.strictEqual(error._tag, "NotFound");
      }),
    );

    it.effect("get() answers 400 for an empty event_type filter", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { experiment } = yield* setUp(client);
        const http = yield* rawClient;

        const response = yield* http.execute(
          HttpClientRequest.get(
            `/experiments/${experiment.id}/results?event_type=`,
          ).pipe(HttpClientRequest.bearerToken(TOKENS.alpha)),
        );
        const json = (yield* response.json) as { readonly detail: string };

        assert.strictEqual(response.status, 400);
        assert.match(json.detail, /event_type\[0\]: is empty/);
      }),
    );
  },
);
