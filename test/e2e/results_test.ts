import { HttpClientRequest } from "@effect/platform";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import type { ResultsQuery as ResultsQuerySchema } from "../../src/api/results.ts";
import type { ExperimentsClient } from "../../src/client/mod.ts";

type ResultsQuery = typeof ResultsQuerySchema.Type;

import {
  clientFor,
  rawClient,
  statusAndDetail,
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
    const results = (
      event_type?: ReadonlyArray<string>,
      query: Omit<ResultsQuery, "event_type"> = {},
    ) =>
      client.results.get({
        path: { experiment_id: experiment.id },
        urlParams: event_type === undefined ? query : { ...query, event_type },
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

    it.effect(
      "get() answers zero-valued rows for a filter that matches nothing",
      () =>
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

    it.effect("get() compares each variant with the control", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);
        const users = Array.from({ length: 60 }, (_, i) => `stat-${i}`);
        const assignments = yield* Effect.forEach(users, assign, {
          concurrency: 8,
        });
        for (const assignment of assignments) {
          if (assignment.variant_name === "treatment") {
            yield* send(assignment.user_id, "purchase", inAnHour());
          }
        }

        const rows = yield* results();
        const narrow = yield* results(undefined, { confidence: 0.8 });

        const [control, treatment] = rows;
        assert.isTrue(control?.is_control);
        assert.isNull(control?.p_value);
        assert.strictEqual(control?.conversion_rate, 0);
        assert.isFalse(treatment?.is_control);
        assert.strictEqual(treatment?.conversion_rate, 1);
        assert.strictEqual(treatment?.absolute_lift, 1);
        assert.isNull(treatment?.relative_lift);
        assert.isBelow(treatment?.p_value ?? 1, 1e-6);
        assert.strictEqual(treatment?.adjusted_p_value, treatment?.p_value);
        assert.isTrue(treatment?.significant);
        assert.isAbove(treatment?.chance_to_beat_control ?? 0, 0.999);
        const wide = treatment?.lift_ci ?? [0, 0];
        const tight = narrow[1]?.lift_ci ?? [0, 0];
        assert.isBelow(wide[0], tight[0]);
        assert.isAbove(wide[0], 0);
      }),
    );

    it.effect("get() counts only events inside from and to", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);
        const assignment = yield* assign("windowed");
        const t = (hours: number) =>
          new Date(assignment.created_at.getTime() + hours * 3_600_000);
        yield* send("windowed", "early", t(1));
        yield* send("windowed", "late", t(5));

        const rows = yield* results(undefined, { from: t(2), to: t(10) });

        const own = rows.filter(
          (row) => row.variant_name === assignment.variant_name,
        );
        assert.deepStrictEqual(
          own.map((row) => [row.event_type, row.user_count_event_type]),
          [
            ["early", 0],
            ["late", 1],
          ],
        );
      }),
    );

    it.effect("get() leaves out users assigned after to", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);
        const first = yield* assign("before-to");
        yield* send("before-to", "purchase", inAnHour());

        const rows = yield* results(undefined, {
          to: new Date(first.created_at.getTime() - 1),
        });

        assert.strictEqual(
          rows.reduce((sum, row) => sum + row.user_count, 0),
          0,
        );
      }),
    );

    it.effect("get() counts only events within the conversion window", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { assign, send, results } = yield* setUp(client);
        const fast = yield* assign("fast");
        const slow = yield* assign("slow");
        const after = (at: Date, days: number) =>
          new Date(at.getTime() + days * 86_400_000);
        yield* send("fast", "purchase", after(fast.created_at, 1));
        yield* send("slow", "purchase", after(slow.created_at, 9));

        const all = yield* results(["purchase"]);
        const week = yield* results(["purchase"], {
          conversion_window: 7 * 86_400_000,
        });

        const converted = (rows: typeof all) =>
          rows.reduce((sum, row) => sum + row.user_count_event_type, 0);
        assert.strictEqual(converted(all), 2);
        assert.strictEqual(converted(week), 1);
      }),
    );

    it.effect(
      "get() answers 400 for a bad confidence, window or duration",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const { experiment } = yield* setUp(client);
          const detailOf = (query: string) =>
            statusAndDetail(
              `/experiments/${experiment.id}/results?${query}`,
              TOKENS.alpha,
            );

          const confidence = yield* detailOf("confidence=1.5");
          const order = yield* detailOf(
            "from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z",
          );
          const month = yield* detailOf("conversion_window=P1M");
          const time = yield* detailOf("from=soon");

          assert.strictEqual(confidence[0], 400);
          assert.match(String(confidence[1]), /confidence between 0 and 1/);
          assert.match(String(order[1]), /from to be at or before to/);
          assert.match(
            String(month[1]),
            /conversion_window: Expected an ISO 8601 duration/,
          );
          assert.match(String(time[1]), /from: Expected an ISO 8601 timestamp/);
        }),
    );

    it.effect("get() answers CSV when asked for text/csv", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const { experiment, assign, send } = yield* setUp(client);
        yield* assign("csv-user");
        yield* send("csv-user", "=cmd", inAnHour());
        const http = yield* rawClient;

        const response = yield* http.execute(
          HttpClientRequest.get(`/experiments/${experiment.id}/results`).pipe(
            HttpClientRequest.bearerToken(TOKENS.alpha),
            HttpClientRequest.setHeader("accept", "text/csv"),
          ),
        );
        const lines = (yield* response.text).trimEnd().split("\r\n");

        assert.strictEqual(response.status, 200);
        assert.match(response.headers["content-type"] ?? "", /^text\/csv/);
        assert.strictEqual(lines.length, 3);
        assert.match(
          lines[0] ?? "",
          /^variant_id,variant_name,is_control,event_type,user_count,/,
        );
        assert.match(lines[1] ?? "", /,control,true,'=cmd,/);
      }),
    );
  },
);
