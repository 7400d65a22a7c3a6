import { HttpClientRequest } from "@effect/platform";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import type { ExperimentsClient } from "../../src/client/mod.ts";
import {
  CLIENTS,
  clientFor,
  countRows,
  rawClient,
  TOKENS,
  testServer,
} from "../support/harness.ts";

const definition = (name: string, status?: "draft" | "active") => ({
  name,
  variants: [
    { name: "control", traffic_allocation: 50 },
    { name: "treatment", traffic_allocation: 50 },
  ],
  ...(status === undefined ? {} : { status }),
});

const create = (
  client: ExperimentsClient,
  name: string,
  status?: "draft" | "active",
) => client.experiments.create({ payload: definition(name, status) });

const patch = (experimentId: string, body: unknown) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(
      HttpClientRequest.patch(`/experiments/${experimentId}`).pipe(
        HttpClientRequest.bearerToken(TOKENS.alpha),
        HttpClientRequest.bodyText(JSON.stringify(body), "application/json"),
      ),
    );
    return {
      status: response.status,
      json: (yield* response.json) as Record<string, unknown>,
    };
  });

const postWithKey = (key: string, body: unknown) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(
      HttpClientRequest.post("/experiments").pipe(
        HttpClientRequest.bearerToken(TOKENS.alpha),
        HttpClientRequest.setHeader("idempotency-key", key),
        HttpClientRequest.bodyText(JSON.stringify(body), "application/json"),
      ),
    );
    return {
      status: response.status,
      json: (yield* response.json) as Record<string, unknown>,
    };
  });

layer(testServer(), { excludeTestServices: true })(
  "experiment lifecycle",
  (it) => {
    it.effect("update() allows every move of the lifecycle", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* create(client, "Moves", "draft");
        const path = { experiment_id: experiment.id };
        const move = (status: "active" | "paused" | "completed") =>
          client.experiments.update({ path, payload: { status } });

        assert.strictEqual(experiment.status, "draft");
        assert.strictEqual((yield* move("active")).status, "active");
        assert.strictEqual((yield* move("paused")).status, "paused");
        assert.strictEqual((yield* move("active")).status, "active");
        assert.strictEqual((yield* move("paused")).status, "paused");
        const done = yield* client.experiments.update({
          path,
          payload: { status: "completed", winner: "treatment" },
        });

        assert.strictEqual(done.status, "completed");
        assert.strictEqual(done.winner_variant_id, experiment.variants[1]?.id);
      }),
    );

    const refused: ReadonlyArray<
      readonly [string, ReadonlyArray<string>, string, RegExp]
    > = [
      [
        "draft",
        [],
        "paused",
        /is draft, which can move only to active, not to "paused"/,
      ],
      ["draft", [], "completed", /is draft/],
      [
        "active",
        [],
        "draft",
        /is active, which can move only to paused or completed/,
      ],
      ["paused", ["paused"], "draft", /is paused/],
      [
        "completed",
        ["completed"],
        "active",
        /is completed, which can not change any more, not to "active"/,
      ],
      [
        "completed",
        ["paused", "completed"],
        "paused",
        /is completed, which can not change any more, not to "paused"/,
      ],
      [
        "completed",
        ["completed"],
        "draft",
        /is completed, which can not change any more, not to "draft"/,
      ],
    ];

    for (const [from, moves, to, detail] of refused) {
      it.effect(`update() answers 409 moving ${from} to ${to}`, () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* create(
            client,
            `Refused ${from}`,
            from === "draft" ? "draft" : "active",
          );
          for (const status of moves) {
            yield* patch(experiment.id, { status });
          }

          const { status, json } = yield* patch(experiment.id, { status: to });
          const after = yield* client.experiments.get({
            path: { experiment_id: experiment.id },
          });

          assert.strictEqual(status, 409);
          assert.strictEqual(json.code, "conflict");
          assert.match(String(json.detail), detail);
          assert.strictEqual(after.status, from);
        }),
      );
    }

    it.effect("update() changes variants only while draft", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const draft = yield* create(client, "Editable", "draft");
        const active = yield* create(client, "Fixed");
        const variants = [
          { name: "a", traffic_allocation: 20 },
          { name: "b", traffic_allocation: 80 },
        ];

        const edited = yield* client.experiments.update({
          path: { experiment_id: draft.id },
          payload: { variants, name: "Edited" },
        });
        const refusal = yield* patch(active.id, { variants });

        assert.deepStrictEqual(
          edited.variants.map((v) => [v.name, v.traffic_allocation]),
          [
            ["a", 20],
            ["b", 80],
          ],
        );
        assert.strictEqual(edited.name, "Edited");
        assert.strictEqual(refusal.status, 409);
        assert.match(
          String(refusal.json.detail),
          /variants change only while it is draft/,
        );
      }),
    );

    it.effect("update() answers 400 for a winner that is no variant", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* create(client, "Winner");

        const unknown = yield* patch(experiment.id, {
          status: "completed",
          winner: "nobody",
        });
        const early = yield* patch(experiment.id, { winner: "treatment" });

        assert.strictEqual(unknown.status, 400);
        assert.match(
          String(unknown.json.detail),
          /winner: no variant "nobody"/,
        );
        assert.strictEqual(early.status, 400);
        assert.match(
          String(early.json.detail),
          /goes with moving the experiment/,
        );
      }),
    );

    it.effect("update() answers 404 for another tenant's experiment", () =>
      Effect.gen(function* () {
        const beta = yield* clientFor(TOKENS.beta);
        const alpha = yield* clientFor(TOKENS.alpha);
        const experiment = yield* create(alpha, "Private");

        const error = yield* Effect.flip(
          beta.experiments.update({
            path: { experiment_id: experiment.id },
            payload: { status: "paused" },
          }),
        );
        const read = yield* Effect.flip(
          beta.experiments.get({ path: { experiment_id: experiment.id } }),
        );

        assert.strictEqual(error._tag, "NotFound");
        assert.strictEqual(read._tag, "NotFound");
      }),
    );

    it.effect("assignments follow the experiment's status", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* create(client, "Statuses", "draft");
        const path = { experiment_id: experiment.id };
        const assign = (user_id: string) =>
          client.assignments.get({ path: { ...path, user_id } });
        const control = experiment.variants[0]?.id;
        const treatment = experiment.variants[1]?.id;

        const inDraft = yield* assign("early-bird");
        yield* client.experiments.update({
          path,
          payload: { status: "active" },
        });
        const enrolled = yield* Effect.forEach(
          Array.from({ length: 12 }, (_, i) => `member-${i}`),
          assign,
        );
        yield* client.experiments.update({
          path,
          payload: { status: "paused" },
        });
        const keptWhilePaused = yield* Effect.forEach(
          enrolled.map((a) => a.user_id),
          assign,
        );
        const newWhilePaused = yield* assign("latecomer");
        yield* client.experiments.update({
          path,
          payload: { status: "completed", winner: "treatment" },
        });
        const keptWhenDone = yield* Effect.forEach(
          enrolled.map((a) => a.user_id),
          assign,
        );
        const newWhenDone = yield* assign("after-the-end");
        const detail = yield* client.experiments.get({ path });

        assert.isFalse(inDraft.enrolled);
        assert.isNull(inDraft.id);
        assert.strictEqual(inDraft.variant_id, control);
        assert.isTrue(enrolled.every((a) => a.enrolled && a.id !== null));
        assert.deepStrictEqual(keptWhilePaused, enrolled);
        assert.isFalse(newWhilePaused.enrolled);
        assert.strictEqual(newWhilePaused.variant_id, control);
        assert.deepStrictEqual(keptWhenDone, enrolled);
        assert.isFalse(newWhenDone.enrolled);
        assert.strictEqual(newWhenDone.variant_id, treatment);
        assert.strictEqual(detail.user_count, 12);
        assert.strictEqual(
          detail.variants.reduce((sum, v) => sum + v.user_count, 0),
          12,
        );
      }),
    );

    it.effect("events keep being recorded and results stay readable", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* create(client, "Readable");
        const path = { experiment_id: experiment.id };
        const member = yield* client.assignments.get({
          path: { ...path, user_id: "reader" },
        });
        yield* client.experiments.update({
          path,
          payload: { status: "completed" },
        });

        yield* client.events.record({
          payload: {
            user_id: "reader",
            type: "purchase",
            timestamp: new Date(member.created_at.getTime() + 1000),
          },
        });
        const rows = yield* client.results.get({ path, urlParams: {} });

        assert.strictEqual(
          rows.reduce((sum, row) => sum + row.user_count_event_type, 0),
          1,
        );
      }),
    );
  },
);

layer(testServer(), { excludeTestServices: true })("GET /experiments", (it) => {
  it.effect("list() pages newest first without skipping or repeating", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.beta);
      const created = yield* Effect.forEach(
        Array.from({ length: 7 }, (_, i) => `Listed ${i}`),
        (name) => create(client, name),
      );

      const seen: Array<string> = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = yield* client.experiments.list({
          urlParams: cursor === undefined ? { limit: 3 } : { limit: 3, cursor },
        });
        seen.push(...page.items.map((item) => item.id));
        yield* create(client, `Inserted while paging ${pages}`);
        cursor = page.next_cursor ?? undefined;
        pages++;
      } while (cursor !== undefined && pages < 20);

      const expected = created.map((e) => e.id).reverse();
      assert.deepStrictEqual(
        seen.filter((id) => expected.includes(id)),
        expected,
      );
      assert.strictEqual(new Set(seen).size, seen.length);
    }),
  );

  it.effect("list() filters by status", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.beta);
      const draft = yield* create(client, "Only draft", "draft");

      const page = yield* client.experiments.list({
        urlParams: { status: "draft", limit: 100 },
      });

      assert.isTrue(page.items.every((item) => item.status === "draft"));
      assert.isTrue(page.items.some((item) => item.id === draft.id));
    }),
  );

  it.effect("list() shows only the caller's experiments", () =>
    Effect.gen(function* () {
      const alpha = yield* clientFor(TOKENS.alpha);
      const beta = yield* clientFor(TOKENS.beta);
      const mine = yield* create(alpha, "Alpha's own");

      const page = yield* beta.experiments.list({ urlParams: { limit: 100 } });

      assert.isFalse(page.items.some((item) => item.id === mine.id));
    }),
  );

  it.effect("list() answers 400 for a bad limit or cursor", () =>
    Effect.gen(function* () {
      const http = yield* rawClient;
      const statusOf = (query: string) =>
        http
          .execute(
            HttpClientRequest.get(`/experiments?${query}`).pipe(
              HttpClientRequest.bearerToken(TOKENS.alpha),
            ),
          )
          .pipe(Effect.map((response) => response.status));

      assert.deepStrictEqual(
        [
          yield* statusOf("limit=0"),
          yield* statusOf("limit=101"),
          yield* statusOf("limit=x"),
          yield* statusOf("cursor=not-a-cursor"),
          yield* statusOf("status=archived"),
          yield* statusOf("limit=5"),
        ],
        [400, 400, 400, 400, 400, 200],
      );
    }),
  );
});

layer(testServer(), { excludeTestServices: true })("Idempotency-Key", (it) => {
  it.effect("create() answers the first answer for a repeated key", () =>
    Effect.gen(function* () {
      const before = yield* countRows("experiments", CLIENTS.alpha);
      const body = definition("Once");

      const first = yield* postWithKey("key-1", body);
      const again = yield* postWithKey("key-1", body);

      assert.strictEqual(first.status, 201);
      assert.strictEqual(again.status, 201);
      assert.deepStrictEqual(again.json, first.json);
      assert.strictEqual(
        yield* countRows("experiments", CLIENTS.alpha),
        before + 1,
      );
    }),
  );

  it.effect("create() answers 409 for a key reused with another body", () =>
    Effect.gen(function* () {
      yield* postWithKey("key-2", definition("First body"));

      const other = yield* postWithKey("key-2", definition("Second body"));

      assert.strictEqual(other.status, 409);
      assert.strictEqual(other.json.code, "conflict");
      assert.match(
        String(other.json.detail),
        /Idempotency-Key "key-2" was used with another body/,
      );
    }),
  );

  it.effect("create() creates one experiment for 10 concurrent retries", () =>
    Effect.gen(function* () {
      const before = yield* countRows("experiments", CLIENTS.alpha);
      const body = definition("Raced");

      const answers = yield* Effect.all(
        Array.from({ length: 10 }, () => postWithKey("key-race", body)),
        { concurrency: "unbounded" },
      );

      assert.isTrue(answers.every((a) => a.status === 201));
      assert.strictEqual(new Set(answers.map((a) => a.json.id)).size, 1);
      assert.strictEqual(
        yield* countRows("experiments", CLIENTS.alpha),
        before + 1,
      );
    }),
  );

  it.effect("create() keeps keys apart between tenants", () =>
    Effect.gen(function* () {
      const http = yield* rawClient;
      const body = JSON.stringify(definition("Shared key"));
      const post = (token: string) =>
        http
          .execute(
            HttpClientRequest.post("/experiments").pipe(
              HttpClientRequest.bearerToken(token),
              HttpClientRequest.setHeader("idempotency-key", "shared"),
              HttpClientRequest.bodyText(body, "application/json"),
            ),
          )
          .pipe(Effect.flatMap((response) => response.json));

      const alpha = (yield* post(TOKENS.alpha)) as { id: string };
      const beta = (yield* post(TOKENS.beta)) as { id: string };

      assert.notStrictEqual(alpha.id, beta.id);
    }),
  );
});
