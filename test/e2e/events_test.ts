import { HttpClientRequest } from "@effect/platform";
import { SqlClient } from "@effect/sql";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import {
  CLIENTS,
  clientFor,
  countRows,
  rawClient,
  TOKENS,
  testServer,
} from "../support/harness.ts";

const postEvent = (body: unknown) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(
      HttpClientRequest.post("/events/").pipe(
        HttpClientRequest.bearerToken(TOKENS.alpha),
        HttpClientRequest.bodyText(JSON.stringify(body), "application/json"),
      ),
    );
    return {
      status: response.status,
      json: (yield* response.json) as Record<string, unknown>,
    };
  });

layer(testServer(), { excludeTestServices: true })("POST /events", (it) => {
  it.effect("record() answers 201 with the stored event", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.alpha);

      const event = yield* client.events.record({
        payload: {
          user_id: "user_12345",
          type: "purchase",
          timestamp: new Date("2026-10-27T10:32:00.000Z"),
          properties: { page: "checkout", amount: 42 },
        },
      });

      assert.match(event.id, /^[0-9a-f-]{36}$/);
      assert.strictEqual(event.user_id, "user_12345");
      assert.strictEqual(event.event_type, "purchase");
      assert.deepStrictEqual(
        event.timestamp,
        new Date("2026-10-27T10:32:00.000Z"),
      );
      assert.deepStrictEqual(event.properties, {
        page: "checkout",
        amount: 42,
      });
    }),
  );

  it.effect("record() stores the event durably before answering", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.alpha);
      const sql = yield* SqlClient.SqlClient;

      const event = yield* client.events.record({
        payload: {
          user_id: "durable",
          type: "signup",
          timestamp: new Date("2026-10-27T10:32:00.123Z"),
          properties: { nested: { list: [1, 2] } },
        },
      });
      const rows = yield* sql<{
        readonly occurred_at: string;
        readonly properties: unknown;
        readonly client_id: string;
      }>`SELECT occurred_at, properties, client_id FROM events
         WHERE public_id = ${event.id}`;

      assert.strictEqual(rows.length, 1);
      assert.strictEqual(rows[0]?.occurred_at, "2026-10-27 10:32:00.123000");
      assert.strictEqual(rows[0]?.client_id, CLIENTS.alpha);
      const stored = rows[0]?.properties;
      assert.deepStrictEqual(
        typeof stored === "string" ? JSON.parse(stored) : stored,
        {
          nested: { list: [1, 2] },
        },
      );
    }),
  );

  it.effect("record() converts a timestamp with an offset to UTC", () =>
    Effect.gen(function* () {
      const { status, json } = yield* postEvent({
        user_id: "u",
        type: "purchase",
        timestamp: "2026-10-27T12:32:00+02:00",
      });

      assert.strictEqual(status, 201);
      assert.strictEqual(json.timestamp, "2026-10-27T10:32:00.000Z");
    }),
  );

  it.effect("record() reads a timestamp without an offset as UTC", () =>
    Effect.gen(function* () {
      const { status, json } = yield* postEvent({
        user_id: "u",
        type: "purchase",
        timestamp: "2026-10-27T10:32:00",
      });

      assert.strictEqual(status, 201);
      assert.strictEqual(json.timestamp, "2026-10-27T10:32:00.000Z");
    }),
  );

  it.effect("record() answers empty properties when none were sent", () =>
    Effect.gen(function* () {
      const { status, json } = yield* postEvent({
        user_id: "u",
        type: "view",
        timestamp: "2026-10-27T10:32:00Z",
      });

      assert.strictEqual(status, 201);
      assert.deepStrictEqual(json.properties, {});
      assert.strictEqual(json.event_id, null);
      assert.deepStrictEqual(Object.keys(json).sort(), [
        "created_at",
        "event_id",
        "event_type",
        "id",
        "properties",
        "timestamp",
        "updated_at",
        "user_id",
      ]);
    }),
  );

  const valid = {
    user_id: "u",
    type: "purchase",
    timestamp: "2026-10-27T10:32:00Z",
  };
  const invalid: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ["a missing type", { ...valid, type: undefined }, /type: is missing/],
    ["an empty type", { ...valid, type: "" }, /type: is empty/],
    [
      "a type over 100 characters",
      { ...valid, type: "t".repeat(101) },
      /type: is longer than 100 characters \(101\)/,
    ],
    ["an empty user id", { ...valid, user_id: "" }, /user_id: is empty/],
    [
      "a user id over 255 characters",
      { ...valid, user_id: "u".repeat(256) },
      /user_id: is longer than 255/,
    ],
    [
      "a timestamp that is not ISO 8601",
      { ...valid, timestamp: "27/10/2026" },
      /timestamp: Expected an ISO 8601 timestamp, got "27\/10\/2026"/,
    ],
    [
      "an impossible date",
      { ...valid, timestamp: "2026-13-45T10:00:00Z" },
      /timestamp: Expected an ISO 8601 timestamp/,
    ],
    [
      "a numeric timestamp",
      { ...valid, timestamp: 1_761_561_120_000 },
      /timestamp: Expected string/,
    ],
    [
      "properties that are an array",
      { ...valid, properties: [1, 2] },
      /properties: Expected/,
    ],
    [
      "properties that are a string",
      { ...valid, properties: "x" },
      /properties: Expected/,
    ],
    ["an empty event_id", { ...valid, event_id: "" }, /event_id: is empty/],
    [
      "an event_id over 255 characters",
      { ...valid, event_id: "e".repeat(256) },
      /event_id: is longer than 255 characters \(256\)/,
    ],
    [
      "a numeric event_id",
      { ...valid, event_id: 42 },
      /event_id: Expected string, actual 42/,
    ],
  ];

  for (const [what, body, detail] of invalid) {
    it.effect(`record() answers 400 and stores nothing for ${what}`, () =>
      Effect.gen(function* () {
        const before = yield* countRows("events", CLIENTS.alpha);

        const { status, json } = yield* postEvent(body);

        assert.strictEqual(status, 400);
        assert.strictEqual(json.code, "invalid_request");
        assert.match(String(json.detail), detail);
        assert.strictEqual(yield* countRows("events", CLIENTS.alpha), before);
      }),
    );
  }
});
