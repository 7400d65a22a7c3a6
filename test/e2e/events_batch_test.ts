import { HttpClientRequest } from "@effect/platform";
import { SqlClient } from "@effect/sql";
import { assert, layer } from "@effect/vitest";
import { Effect, Either, Encoding, Fiber, Schema } from "effect";
import { type Event, NewEvent } from "../../src/api/events.ts";
import { InvalidRequest } from "../../src/client/mod.ts";
import {
  CLIENTS,
  clientFor,
  countRows,
  rawClient,
  TOKENS,
  testServer,
  unique,
} from "../support/harness.ts";

type EventInput = typeof NewEvent.Encoded;

const send = (
  request: HttpClientRequest.HttpClientRequest,
  token: string = TOKENS.alpha,
) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(
      request.pipe(HttpClientRequest.bearerToken(token)),
    );
    return {
      status: response.status,
      json: (yield* response.json) as Record<string, unknown>,
    };
  });

const postBatch = (body: unknown, path = "/events/batch") =>
  send(
    HttpClientRequest.post(path).pipe(
      HttpClientRequest.bodyText(JSON.stringify(body), "application/json"),
    ),
  );

const getEvents = (query: string, token: string = TOKENS.alpha) =>
  send(HttpClientRequest.get(`/events?${query}`), token);

const event = (
  user_id: string,
  type: string,
  timestamp: string,
  event_id?: string,
): EventInput =>
  event_id === undefined
    ? { user_id, type, timestamp }
    : { user_id, type, timestamp, event_id };

const decoded = (input: EventInput) => Schema.decodeSync(NewEvent)(input);

const rowsWithEventId = (clientId: string, eventId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    return yield* sql<{
      readonly public_id: string;
      readonly event_type: string;
    }>`SELECT public_id, event_type FROM events
       WHERE client_id = ${clientId} AND event_id = ${eventId}`;
  });

const isNewestFirst = (items: ReadonlyArray<Event>) =>
  items.every((item, index) => {
    const next = items[index + 1];
    if (next === undefined) return true;
    const [a, b] = [item.timestamp.getTime(), next.timestamp.getTime()];
    return a > b || (a === b && item.id > next.id);
  });

layer(testServer(), { excludeTestServices: true })(
  "POST /events/batch and GET /events",
  (it) => {
    it.effect("recordBatch() stores a valid batch and counts it", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("batch-user");
        const before = yield* countRows("events", CLIENTS.alpha);

        const receipt = yield* client.events.recordBatch({
          payload: {
            events: [
              event(user, "view", "2026-10-27T10:30:00Z"),
              event(user, "click", "2026-10-27T10:31:00Z", unique("e")),
              {
                ...event(user, "purchase", "2026-10-27T12:32:00+02:00"),
                properties: { amount: 42 },
              },
            ].map(decoded),
          },
        });
        const page = yield* client.events.list({
          urlParams: { user_id: user },
        });

        assert.deepStrictEqual(receipt, {
          received: 3,
          stored: 3,
          duplicates: 0,
        });
        assert.strictEqual(
          yield* countRows("events", CLIENTS.alpha),
          before + 3,
        );
        assert.deepStrictEqual(
          page.items.map((item) => [
            item.event_type,
            item.timestamp.toISOString(),
            item.properties,
          ]),
          [
            ["purchase", "2026-10-27T10:32:00.000Z", { amount: 42 }],
            ["click", "2026-10-27T10:31:00.000Z", {}],
            ["view", "2026-10-27T10:30:00.000Z", {}],
          ],
        );
        assert.strictEqual(page.next_cursor, null);
      }),
    );

    it.effect("recordBatch() stores an event_id repeated in a batch once", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("repeat-user");
        const [first, second] = [unique("first"), unique("second")];

        const receipt = yield* client.events.recordBatch({
          payload: {
            events: [
              event(user, "view", "2026-10-27T10:30:00Z", first),
              event(user, "click", "2026-10-27T10:31:00Z", second),
              event(user, "purchase", "2026-10-27T10:32:00Z", first),
              event(user, "purchase", "2026-10-27T10:33:00Z", first),
            ].map(decoded),
          },
        });
        const rows = yield* rowsWithEventId(CLIENTS.alpha, first);

        assert.deepStrictEqual(receipt, {
          received: 4,
          stored: 2,
          duplicates: 2,
        });
        assert.deepStrictEqual(
          rows.map((row) => row.event_type),
          ["view"],
        );
        assert.strictEqual(
          (yield* rowsWithEventId(CLIENTS.alpha, second)).length,
          1,
        );
      }),
    );

    it.effect("recordBatch() skips event_ids sent in an earlier batch", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("retry-user");
        const ids = [unique("a"), unique("b"), unique("c")] as const;
        const before = yield* countRows("events", CLIENTS.alpha);

        const firstReceipt = yield* client.events.recordBatch({
          payload: {
            events: [
              event(user, "view", "2026-10-27T10:30:00Z", ids[0]),
              event(user, "view", "2026-10-27T10:31:00Z", ids[1]),
            ].map(decoded),
          },
        });
        const secondReceipt = yield* client.events.recordBatch({
          payload: {
            events: [
              event(user, "view", "2026-10-27T10:31:00Z", ids[1]),
              event(user, "view", "2026-10-27T10:32:00Z", ids[2]),
              event(user, "view", "2026-10-27T10:33:00Z"),
            ].map(decoded),
          },
        });

        assert.deepStrictEqual(firstReceipt, {
          received: 2,
          stored: 2,
          duplicates: 0,
        });
        assert.deepStrictEqual(secondReceipt, {
          received: 3,
          stored: 2,
          duplicates: 1,
        });
        assert.strictEqual(
          yield* countRows("events", CLIENTS.alpha),
          before + 4,
        );
        for (const id of ids) {
          assert.strictEqual(
            (yield* rowsWithEventId(CLIENTS.alpha, id)).length,
            1,
          );
        }
      }),
    );

    it.effect("recordBatch() stores overlapping batches sent at once", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("overlap-user");
        const ids = Array.from({ length: 60 }, (_, i) => `${user}-${i}`);
        const rotated = (by: number) => [...ids.slice(by), ...ids.slice(0, by)];
        const before = yield* countRows("events", CLIENTS.alpha);

        const receipts = yield* Effect.all(
          [0, 15, 30, 45, 59].map((by, i) =>
            client.events.recordBatch({
              payload: {
                events: (i % 2 === 0 ? rotated(by) : rotated(by).reverse())
                  .map((id) => event(user, "view", "2026-10-27T10:30:00Z", id))
                  .map(decoded),
              },
            }),
          ),
          { concurrency: "unbounded" },
        );

        assert.strictEqual(
          receipts.reduce((sum, receipt) => sum + receipt.stored, 0),
          60,
        );
        assert.strictEqual(
          receipts.reduce((sum, receipt) => sum + receipt.duplicates, 0),
          4 * 60,
        );
        assert.strictEqual(
          yield* countRows("events", CLIENTS.alpha),
          before + 60,
        );
      }),
    );

    it.effect("recordBatch() and record() share event_ids both ways", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("shared-user");
        const [single, batched] = [unique("single"), unique("batched")];

        const recorded = yield* client.events.record({
          payload: decoded(
            event(user, "signup", "2026-10-27T10:30:00Z", single),
          ),
        });
        const receipt = yield* client.events.recordBatch({
          payload: {
            events: [
              event(user, "view", "2026-10-27T10:31:00Z", single),
              event(user, "purchase", "2026-10-27T10:32:00Z", batched),
            ].map(decoded),
          },
        });
        const retried = yield* client.events.record({
          payload: decoded(
            event(user, "other", "2026-10-27T11:00:00Z", batched),
          ),
        });
        const stored = yield* rowsWithEventId(CLIENTS.alpha, batched);

        assert.deepStrictEqual(receipt, {
          received: 2,
          stored: 1,
          duplicates: 1,
        });
        assert.strictEqual(
          (yield* rowsWithEventId(CLIENTS.alpha, single))[0]?.public_id,
          recorded.id,
        );
        assert.strictEqual(stored.length, 1);
        assert.strictEqual(retried.id, stored[0]?.public_id);
        assert.strictEqual(retried.event_type, "purchase");
        assert.strictEqual(retried.event_id, batched);
        assert.deepStrictEqual(
          retried.timestamp,
          new Date("2026-10-27T10:32:00.000Z"),
        );
      }),
    );

    it.effect("recordBatch() stores nothing when one event is invalid", () =>
      Effect.gen(function* () {
        const user = unique("invalid-user");
        const before = yield* countRows("events", CLIENTS.alpha);

        const { status, json } = yield* postBatch({
          events: [
            event(user, "view", "2026-10-27T10:30:00Z"),
            { user_id: user, timestamp: "2026-10-27T10:31:00Z" },
            event(user, "view", "2026-10-27T10:32:00Z", unique("ok")),
            { ...event(user, "view", "x"), properties: [1] },
            event(user, "view", "2026-10-27T10:34:00Z"),
          ],
        });

        assert.strictEqual(status, 400);
        assert.strictEqual(json.code, "invalid_request");
        assert.strictEqual(
          json.detail,
          "Validate request: 2 of 5 events are invalid: events[1].type: " +
            "is missing; events[3].timestamp: Expected an ISO 8601 " +
            'timestamp, got "x"; events[3].properties: Expected a JSON ' +
            "object, actual [1]",
        );
        assert.deepStrictEqual(json.errors, [
          { index: 1, detail: "type: is missing" },
          {
            index: 3,
            detail:
              'timestamp: Expected an ISO 8601 timestamp, got "x"; ' +
              "properties: Expected a JSON object, actual [1]",
          },
        ]);
        assert.strictEqual(yield* countRows("events", CLIENTS.alpha), before);
      }),
    );

    it.effect(
      "recordBatch() fails with InvalidRequest and its errors in the client",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const user = unique("client-user");
          const before = yield* countRows("events", CLIENTS.alpha);

          const result = yield* client.events
            .recordBatch({
              payload: {
                events: [
                  decoded(event(user, "view", "2026-10-27T10:30:00Z")),
                  {
                    user_id: user,
                    type: "view",
                    timestamp: new Date(Date.UTC(10_000, 0, 1)),
                  },
                ],
              },
            })
            .pipe(Effect.either);

          assert.isTrue(Either.isLeft(result));
          const error = Either.isLeft(result) ? result.left : undefined;
          assert.instanceOf(error, InvalidRequest);
          assert.deepStrictEqual(
            error instanceof InvalidRequest ? error.errors : undefined,
            [
              {
                index: 1,
                detail:
                  "timestamp: Expected an ISO 8601 timestamp, got " +
                  '"+010000-01-01T00:00:00.000Z"',
              },
            ],
          );
          assert.strictEqual(yield* countRows("events", CLIENTS.alpha), before);
        }),
    );

    it.effect("recordBatch() answers 400 for more than 1000 events", () =>
      Effect.gen(function* () {
        const user = unique("bulk-user");
        const before = yield* countRows("events", CLIENTS.alpha);

        const { status, json } = yield* postBatch({
          events: Array.from({ length: 1001 }, (_, i) =>
            event(user, "view", "2026-10-27T10:30:00Z", `bulk-${i}`),
          ),
        });

        assert.strictEqual(status, 400);
        assert.strictEqual(json.code, "invalid_request");
        assert.strictEqual(
          json.detail,
          "Validate request: events: Expected at most 1000 events, got 1001",
        );
        assert.strictEqual(yield* countRows("events", CLIENTS.alpha), before);
      }),
    );

    it.effect("recordBatch() stores a batch of exactly 1000 events", () =>
      Effect.gen(function* () {
        const user = unique("full-user");
        const before = yield* countRows("events", CLIENTS.alpha);

        const { status, json } = yield* postBatch({
          events: Array.from({ length: 1000 }, (_, i) =>
            event(user, "view", "2026-10-27T10:30:00Z", `${user}-${i % 900}`),
          ),
        });

        assert.strictEqual(status, 201);
        assert.deepStrictEqual(json, {
          received: 1000,
          stored: 900,
          duplicates: 100,
        });
        assert.strictEqual(
          yield* countRows("events", CLIENTS.alpha),
          before + 900,
        );
      }),
    );

    const malformed: ReadonlyArray<readonly [string, unknown, string]> = [
      [
        "an empty list",
        { events: [] },
        "Validate request: events: Expected at least 1 event, got an " +
          "empty list",
      ],
      ["a missing list", {}, "Validate request: events: is missing"],
      [
        "a list that is not an array",
        { events: { user_id: "u" } },
        "Validate request: events: Expected ReadonlyArray<unknown>, " +
          'actual {"user_id":"u"}',
      ],
      [
        "a bare array",
        [event("u", "view", "2026-10-27T10:30:00Z")],
        "Validate request: Expected NewEventBatch, actual " +
          '[{"user_id":"u","type":"view","timestamp":"2026-10-27T10:30:00Z"}]',
      ],
    ];

    for (const [what, body, detail] of malformed) {
      it.effect(`recordBatch() answers 400 for ${what}`, () =>
        Effect.gen(function* () {
          const { status, json } = yield* postBatch(body);

          assert.strictEqual(status, 400);
          assert.strictEqual(json.code, "invalid_request");
          assert.strictEqual(json.detail, detail);
          assert.isUndefined(json.errors);
        }),
      );
    }

    it.effect("recordBatch() answers 400 for a body that is not JSON", () =>
      Effect.gen(function* () {
        const { status, json } = yield* send(
          HttpClientRequest.post("/events/batch").pipe(
            HttpClientRequest.bodyText('{"events": [', "application/json"),
          ),
        );

        assert.strictEqual(status, 400);
        assert.strictEqual(json.code, "invalid_request");
        assert.match(String(json.detail), /^Parse request body: invalid JSON/);
      }),
    );

    it.effect("recordBatch() answers 413 for a body over the limit", () =>
      Effect.gen(function* () {
        const user = unique("large-user");
        const before = yield* countRows("events", CLIENTS.alpha);

        const { status, json } = yield* postBatch({
          events: Array.from({ length: 600 }, () => ({
            ...event(user, "view", "2026-10-27T10:30:00Z"),
            properties: { padding: "x".repeat(2_000) },
          })),
        });

        assert.strictEqual(status, 413);
        assert.strictEqual(json.code, "payload_too_large");
        assert.strictEqual(yield* countRows("events", CLIENTS.alpha), before);
      }),
    );

    it.effect("recordBatch() answers with a trailing slash", () =>
      Effect.gen(function* () {
        const user = unique("slash-user");

        const { status, json } = yield* postBatch(
          { events: [event(user, "view", "2026-10-27T10:30:00Z")] },
          "/events/batch/",
        );

        assert.strictEqual(status, 201);
        assert.deepStrictEqual(json, { received: 1, stored: 1, duplicates: 0 });
      }),
    );

    it.effect("recordBatch() answers 401 without a token", () =>
      Effect.gen(function* () {
        const http = yield* rawClient;

        const response = yield* http.execute(
          HttpClientRequest.post("/events/batch").pipe(
            HttpClientRequest.bodyText(
              JSON.stringify({
                events: [event("u", "view", "2026-10-27T10:30:00Z")],
              }),
              "application/json",
            ),
          ),
        );

        assert.strictEqual(response.status, 401);
      }),
    );

    it.effect("recordBatch() events count in an experiment's results", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* client.experiments.create({
          payload: {
            name: "Batch results",
            variants: [
              { name: "control", traffic_allocation: 50 },
              { name: "treatment", traffic_allocation: 50 },
            ],
          },
        });
        const users = Array.from({ length: 12 }, (_, i) => unique(`r${i}`));
        const assignments = yield* Effect.forEach(users, (user_id) =>
          client.assignments.get({
            path: { experiment_id: experiment.id, user_id },
          }),
        );
        const later = new Date(Date.now() + 60 * 60 * 1000).toISOString();
        const buyers = users.filter((_, i) => i % 3 === 0);

        yield* client.events.recordBatch({
          payload: {
            events: buyers
              .flatMap((user) => [
                event(user, "purchase", later, `${user}-p`),
                event(user, "purchase", later, `${user}-p`),
              ])
              .map(decoded),
          },
        });
        const rows = yield* client.results.get({
          path: { experiment_id: experiment.id },
          urlParams: { event_type: ["purchase"] },
        });

        const variantOf = new Map(
          assignments.map((a) => [a.user_id, a.variant_name]),
        );
        for (const row of rows) {
          const members = users.filter(
            (u) => variantOf.get(u) === row.variant_name,
          );
          const converted = buyers.filter(
            (u) => variantOf.get(u) === row.variant_name,
          );
          assert.strictEqual(row.user_count, members.length);
          assert.strictEqual(row.user_count_event_type, converted.length);
        }
        assert.strictEqual(
          rows.reduce((sum, row) => sum + row.user_count_event_type, 0),
          buyers.length,
        );
      }),
    );

    it.effect("record() returns the stored event for a repeated event_id", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("single-user");
        const eventId = unique("order");
        const before = yield* countRows("events", CLIENTS.alpha);

        const first = yield* client.events.record({
          payload: {
            ...decoded(
              event(user, "purchase", "2026-10-27T10:32:00Z", eventId),
            ),
            properties: { amount: 42 },
          },
        });
        const again = yield* client.events.record({
          payload: decoded(
            event(user, "refund", "2026-10-28T10:32:00Z", eventId),
          ),
        });

        assert.strictEqual(first.event_id, eventId);
        assert.deepStrictEqual(again, first);
        assert.strictEqual(
          yield* countRows("events", CLIENTS.alpha),
          before + 1,
        );
      }),
    );

    it.effect(
      "record() stores one row for 20 concurrent posts of one event_id",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const user = unique("racing-user");
          const eventId = unique("race");

          const answers = yield* Effect.all(
            Array.from({ length: 20 }, (_, i) =>
              client.events.record({
                payload: decoded(
                  event(user, `try-${i}`, "2026-10-27T10:32:00Z", eventId),
                ),
              }),
            ),
            { concurrency: "unbounded" },
          );
          const rows = yield* rowsWithEventId(CLIENTS.alpha, eventId);

          assert.strictEqual(rows.length, 1);
          assert.deepStrictEqual(
            [...new Set(answers.map((answer) => answer.id))],
            [rows[0]?.public_id],
          );
          assert.deepStrictEqual(
            [...new Set(answers.map((answer) => answer.event_type))],
            [rows[0]?.event_type],
          );
        }),
    );

    it.effect("record() keeps the event_ids of different clients apart", () =>
      Effect.gen(function* () {
        const alpha = yield* clientFor(TOKENS.alpha);
        const beta = yield* clientFor(TOKENS.beta);
        const eventId = unique("tenant-order");
        const payload = decoded(
          event("same-user", "purchase", "2026-10-27T10:32:00Z", eventId),
        );

        const ours = yield* alpha.events.record({ payload });
        const theirs = yield* beta.events.record({ payload });

        assert.notStrictEqual(ours.id, theirs.id);
        assert.strictEqual(
          (yield* rowsWithEventId(CLIENTS.alpha, eventId)).length,
          1,
        );
        assert.strictEqual(
          (yield* rowsWithEventId(CLIENTS.beta, eventId)).length,
          1,
        );
      }),
    );

    it.effect("list() filters by user, type and time range", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("filter-user");
        const other = unique("other-user");

        yield* client.events.recordBatch({
          payload: {
            events: [
              event(user, "view", "2026-10-27T10:00:00Z"),
              event(user, "purchase", "2026-10-27T11:00:00Z"),
              event(user, "signup", "2026-10-27T12:00:00Z"),
              event(user, "purchase", "2026-10-27T13:00:00Z"),
              event(user, "view", "2026-10-27T14:00:00Z"),
              event(other, "purchase", "2026-10-27T12:30:00Z"),
            ].map(decoded),
          },
        });
        const list = (urlParams: {
          readonly type?: ReadonlyArray<string>;
          readonly from?: Date;
          readonly to?: Date;
        }) =>
          client.events
            .list({ urlParams: { user_id: user, ...urlParams } })
            .pipe(
              Effect.map((page) =>
                page.items.map(
                  (item) =>
                    `${item.event_type}@${item.timestamp.getUTCHours()}`,
                ),
              ),
            );

        assert.deepStrictEqual(yield* list({}), [
          "view@14",
          "purchase@13",
          "signup@12",
          "purchase@11",
          "view@10",
        ]);
        assert.deepStrictEqual(yield* list({ type: ["purchase"] }), [
          "purchase@13",
          "purchase@11",
        ]);
        assert.deepStrictEqual(yield* list({ type: ["signup", "view"] }), [
          "view@14",
          "signup@12",
          "view@10",
        ]);
        assert.deepStrictEqual(
          yield* list({
            from: new Date("2026-10-27T11:00:00Z"),
            to: new Date("2026-10-27T13:00:00Z"),
          }),
          ["purchase@13", "signup@12", "purchase@11"],
        );
        assert.deepStrictEqual(
          yield* list({
            type: ["view"],
            from: new Date("2026-10-27T10:30:00Z"),
          }),
          ["view@14"],
        );

        const raw = yield* getEvents(
          `user_id=${user}&type=signup&to=2026-10-27T12:00:00Z`,
        );
        assert.strictEqual(raw.status, 200);
        assert.deepStrictEqual(
          (raw.json.items as ReadonlyArray<Record<string, unknown>>).map(
            (item) => [item.event_type, item.timestamp, item.user_id],
          ),
          [["signup", "2026-10-27T12:00:00.000Z", user]],
        );
      }),
    );

    it.effect("list() answers 20 events by default, newest first", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const user = unique("default-user");

        yield* client.events.recordBatch({
          payload: {
            events: Array.from({ length: 25 }, (_, i) =>
              event(user, "view", `2026-10-27T10:${10 + i}:00Z`),
            ).map(decoded),
          },
        });
        const first = yield* client.events.list({
          urlParams: { user_id: user },
        });
        const rest = yield* client.events.list({
          urlParams: { user_id: user, cursor: first.next_cursor ?? "" },
        });

        assert.strictEqual(first.items.length, 20);
        assert.isTrue(isNewestFirst(first.items));
        assert.strictEqual(
          first.items[0]?.timestamp.toISOString(),
          "2026-10-27T10:34:00.000Z",
        );
        assert.isString(first.next_cursor);
        assert.strictEqual(rest.items.length, 5);
        assert.strictEqual(rest.next_cursor, null);
        assert.strictEqual(
          rest.items[4]?.timestamp.toISOString(),
          "2026-10-27T10:10:00.000Z",
        );
      }),
    );

    it.effect(
      "list() pages through every event exactly once while events arrive",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const sql = yield* SqlClient.SqlClient;
          const user = unique("pager");
          const times = Array.from(
            { length: 8 },
            (_, i) => `2031-06-0${i + 1}T10:00:00.000Z`,
          );
          const range = {
            from: new Date("2031-06-01T00:00:00Z"),
            to: new Date("2031-06-30T00:00:00Z"),
          };

          yield* client.events.recordBatch({
            payload: {
              events: times
                .flatMap((time) => [
                  event(user, "view", time),
                  event(user, "click", time),
                ])
                .map(decoded),
            },
          });
          const existing = yield* sql<{ readonly public_id: string }>`
            SELECT public_id FROM events
            WHERE client_id = ${CLIENTS.alpha}
              AND occurred_at BETWEEN '2031-06-01' AND '2031-06-30'
          `;
          const arrival = (i: number) =>
            client.events.record({
              payload: decoded(
                event(user, "late", times[i % times.length] ?? ""),
              ),
            });
          const writer = yield* Effect.fork(
            Effect.forEach(
              Array.from({ length: 40 }, (_, i) => i),
              (i) => Effect.zipRight(Effect.sleep("5 millis"), arrival(i)),
              { discard: true },
            ),
          );

          const seen: Array<Event> = [];
          let cursor: string | null | undefined;
          for (let pages = 0; cursor !== null && pages < 1000; pages++) {
            const page = yield* client.events.list({
              urlParams: {
                ...range,
                limit: 2,
                ...(cursor === undefined ? {} : { cursor }),
              },
            });
            yield* arrival(pages);
            seen.push(...page.items);
            cursor = page.next_cursor;
          }
          yield* Fiber.join(writer);

          const seenCount = new Map<string, number>();
          for (const item of seen) {
            seenCount.set(item.id, (seenCount.get(item.id) ?? 0) + 1);
          }
          assert.strictEqual(cursor, null);
          assert.strictEqual(existing.length, 16);
          assert.isTrue(seen.length > 16);
          for (const row of existing) {
            assert.strictEqual(seenCount.get(row.public_id), 1, row.public_id);
          }
          assert.strictEqual(seenCount.size, seen.length);
          assert.isTrue(isNewestFirst(seen));
        }),
    );

    const limitProblem = (value: string) =>
      `Validate request: limit: Expected an integer from 1 to 100, got ` +
      `"${value}"`;
    const cursorProblem = (value: string) =>
      "Validate request: cursor: Expected the next_cursor of an earlier " +
      `page, got "${value}"`;
    const foreignCursor = Encoding.encodeBase64Url('["yesterday","x"]');
    const impossibleCursor = Encoding.encodeBase64Url(
      JSON.stringify([
        "2026-02-30 10:00:00.000000",
        "0193a5c4-1b2c-7d3e-8f40-516273849506",
      ]),
    );
    const badQueries: ReadonlyArray<readonly [string, string, string]> = [
      ["a limit of 0", "limit=0", limitProblem("0")],
      ["a limit over 100", "limit=101", limitProblem("101")],
      ["a limit that is not a number", "limit=ten", limitProblem("ten")],
      ["a fractional limit", "limit=2.5", limitProblem("2.5")],
      [
        "two limits",
        "limit=2&limit=3",
        "Validate request: limit: " + 'Expected string, actual ["2","3"]',
      ],
      [
        "a cursor that is not base64url",
        "cursor=not%20a%20cursor",
        cursorProblem("not a cursor"),
      ],
      [
        "a cursor of something else",
        `cursor=${foreignCursor}`,
        cursorProblem(foreignCursor),
      ],
      [
        "a cursor with an impossible time",
        `cursor=${impossibleCursor}`,
        cursorProblem(impossibleCursor),
      ],
      [
        "from after to",
        "from=2026-10-28T00:00:00Z&to=2026-10-27T00:00:00Z",
        "Validate request: Expected from to be at or before to, got from " +
          "2026-10-28T00:00:00.000Z and to 2026-10-27T00:00:00.000Z",
      ],
      [
        "a from that is not ISO 8601",
        "from=yesterday",
        "Validate request: from: Expected an ISO 8601 timestamp, got " +
          '"yesterday"',
      ],
      ["an empty type", "type=", "Validate request: type[0]: is empty"],
      ["an empty user_id", "user_id=", "Validate request: user_id: is empty"],
    ];

    for (const [what, query, detail] of badQueries) {
      it.effect(`list() answers 400 for ${what}`, () =>
        Effect.gen(function* () {
          const { status, json } = yield* getEvents(query);

          assert.strictEqual(status, 400);
          assert.strictEqual(json.code, "invalid_request");
          assert.strictEqual(json.detail, detail);
        }),
      );
    }

    it.effect("list() never shows another client's events", () =>
      Effect.gen(function* () {
        const alpha = yield* clientFor(TOKENS.alpha);
        const beta = yield* clientFor(TOKENS.beta);
        const user = unique("tenant-user");
        const payload = {
          events: [
            event(user, "view", "2026-10-27T10:30:00Z"),
            event(user, "view", "2026-10-27T10:31:00Z"),
          ].map(decoded),
        };

        yield* alpha.events.recordBatch({ payload });
        yield* beta.events.recordBatch({ payload });
        const ours = yield* alpha.events.list({
          urlParams: { user_id: user, limit: 1 },
        });
        const ourRest = yield* alpha.events.list({
          urlParams: { user_id: user, cursor: ours.next_cursor ?? "" },
        });
        const theirs = yield* beta.events.list({
          urlParams: { user_id: user },
        });
        const theirsAll = yield* getEvents("limit=100", TOKENS.beta);
        const sql = yield* SqlClient.SqlClient;
        const betaIds = new Set(
          (yield* sql<{ readonly public_id: string }>`
            SELECT public_id FROM events WHERE client_id = ${CLIENTS.beta}
          `).map((row) => row.public_id),
        );

        const ourIds = [...ours.items, ...ourRest.items].map((e) => e.id);
        assert.strictEqual(ourIds.length, 2);
        assert.isTrue(ourIds.every((id) => !betaIds.has(id)));
        assert.strictEqual(theirs.items.length, 2);
        assert.isTrue(theirs.items.every((e) => betaIds.has(e.id)));
        assert.isTrue(
          (theirsAll.json.items as ReadonlyArray<{ id: string }>).every((e) =>
            betaIds.has(e.id),
          ),
        );
      }),
    );

    it.effect("list() answers 401 without a token", () =>
      Effect.gen(function* () {
        const http = yield* rawClient;

        const response = yield* http.execute(HttpClientRequest.get("/events"));

        assert.strictEqual(response.status, 401);
      }),
    );
  },
);
