import { SqlClient } from "@effect/sql";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import type { ExperimentsClient } from "../../src/client/mod.ts";
import { clientFor, TOKENS, testServer } from "../support/harness.ts";

const create = (client: ExperimentsClient, name: string) =>
  client.experiments.create({
    payload: {
      name,
      variants: [
        { name: "control", traffic_allocation: 50 },
        { name: "treatment", traffic_allocation: 50 },
      ],
    },
  });

const storedRows = (userId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const rows = yield* sql<{ readonly n: number }>`
      SELECT COUNT(*) AS n FROM assignments WHERE user_id = ${userId}`;
    return Number(rows[0]?.n);
  });

layer(testServer(), { excludeTestServices: true })(
  "GET /assignments/{user_id}",
  (it) => {
    it.effect("forUser() assigns the user in every active experiment", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const first = yield* create(client, "Page A");
        const second = yield* create(client, "Page B");
        const paused = yield* create(client, "Page paused");
        yield* client.experiments.update({
          path: { experiment_id: paused.id },
          payload: { status: "paused" },
        });
        const other = yield* create(yield* clientFor(TOKENS.beta), "Not mine");

        const answer = yield* client.assignments.forUser({
          path: { user_id: "visitor" },
          urlParams: {},
        });
        const single = yield* client.assignments.get({
          path: { experiment_id: first.id, user_id: "visitor" },
        });

        const ids = answer.assignments.map((a) => a.experiment_id);
        assert.strictEqual(answer.user_id, "visitor");
        assert.includeMembers(ids, [first.id, second.id]);
        assert.notInclude(ids, paused.id);
        assert.notInclude(ids, other.id);
        assert.deepStrictEqual(
          answer.assignments.find((a) => a.experiment_id === first.id),
          single,
        );
      }),
    );

    it.effect("forUser() covers exactly the listed experiments", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const listed = yield* create(client, "Listed");
        const draft = yield* client.experiments.create({
          payload: {
            name: "Listed draft",
            status: "draft",
            variants: [
              { name: "control", traffic_allocation: 50 },
              { name: "treatment", traffic_allocation: 50 },
            ],
          },
        });
        yield* create(client, "Not listed");

        const answer = yield* client.assignments.forUser({
          path: { user_id: "subset" },
          urlParams: { experiment_id: [listed.id, draft.id] },
        });

        assert.deepStrictEqual(
          answer.assignments.map((a) => [a.experiment_id, a.enrolled]),
          [
            [listed.id, true],
            [draft.id, false],
          ],
        );
      }),
    );

    it.effect("assignForUser() agrees across 10 concurrent first calls", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiments = yield* Effect.forEach(["R1", "R2", "R3"], (name) =>
          create(client, name),
        );
        const experiment_ids = experiments.map((e) => e.id);

        const answers = yield* Effect.all(
          Array.from({ length: 10 }, () =>
            client.assignments.assignForUser({
              path: { user_id: "page-racer" },
              payload: { experiment_ids, attributes: { country: "DE" } },
            }),
          ),
          { concurrency: "unbounded" },
        );

        for (const answer of answers) {
          assert.deepStrictEqual(answer, answers[0]);
        }
        assert.strictEqual(yield* storedRows("page-racer"), 3);
      }),
    );

    it.effect(
      "assignForUser() answers 404 for an unknown id, storing nothing",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const known = yield* create(client, "Known");

          const error = yield* Effect.flip(
            client.assignments.assignForUser({
              path: { user_id: "lost" },
              payload: {
                experiment_ids: [
                  known.id,
                  "01a23c5d-c55e-71d0-a9ee-92926bc7cf0a",
                ],
              },
            }),
          );

          assert.strictEqual(error._tag, "NotFound");
          assert.strictEqual(yield* storedRows("lost"), 0);
        }),
    );
  },
);
