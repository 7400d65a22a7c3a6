import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reactivity } from "@effect/experimental";
import { SqlClient } from "@effect/sql";
import { MysqlClient } from "@effect/sql-mysql2";
import { assert, describe, it, layer } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { inject } from "vitest";
import type { NewEvent } from "../../src/api/events.ts";
import type { ExperimentsClient } from "../../src/client/mod.ts";
import { MIGRATIONS_DIRECTORY, migrate } from "../../src/db/migrator.ts";
import {
  CLIENTS,
  clientFor,
  TOKENS,
  testServer,
  unique,
} from "../support/harness.ts";

const HOUR = 3_600_000;
const FAR_PAST = new Date("2000-01-01T00:00:00Z");
const FAR_FUTURE = new Date("2100-01-01T00:00:00Z");

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * HOUR);

const at = (iso: string) => new Date(iso);

const event = (
  user_id: string,
  type: string,
  timestamp: Date,
  event_id?: string,
): typeof NewEvent.Type =>
  event_id === undefined
    ? { user_id, type, timestamp }
    : { user_id, type, timestamp, event_id };

/** Properties of every kind, as they come back from the database. */
const MIXED_PROPERTIES = {
  amount: 12.5,
  count: -3,
  huge: 1e300,
  note: "12.5",
  flag: true,
  nothing: null,
  nested: { amount: 1 },
  list: [1, 2],
  "bad key": 4,
};

/** MySQL 8 hands JSON columns over parsed; MariaDB as text. */
const parsed = (json: unknown): unknown =>
  typeof json === "string" ? JSON.parse(json) : json;

const propertiesOf = (clientId: string, userId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const rows = yield* sql<{
      readonly event_type: string;
      readonly occurred_at: string;
      readonly properties: unknown;
    }>`
      SELECT event_type, CAST(occurred_at AS CHAR) AS occurred_at, properties
      FROM event_properties
      WHERE client_id = ${clientId} AND user_id = ${userId}
      ORDER BY event_type, occurred_at
    `;
    return rows.map((row) => [
      row.event_type,
      row.occurred_at,
      parsed(row.properties),
    ]);
  });

interface SummaryRow {
  readonly client_id: string;
  readonly user_id: string;
  readonly event_type: string;
  readonly first_at: string;
  readonly last_at: string;
}

const summaryOf = (clientId: string, userId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const rows = yield* sql<Omit<SummaryRow, "client_id" | "user_id">>`
      SELECT event_type, CAST(first_at AS CHAR) AS first_at,
             CAST(last_at AS CHAR) AS last_at
      FROM user_event_types
      WHERE client_id = ${clientId} AND user_id = ${userId}
      ORDER BY event_type
    `;
    return rows.map((row) => [row.event_type, row.first_at, row.last_at]);
  });

/** The summary rows of some clients, and the same rows grouped from events. */
const summaryAndEvents = (clientIds: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const summary = yield* sql<SummaryRow>`
      SELECT client_id, user_id, event_type, first_at, last_at
      FROM user_event_types
      WHERE ${sql.in("client_id", clientIds)}
      ORDER BY client_id, user_id, event_type
    `;
    const grouped = yield* sql<SummaryRow>`
      SELECT client_id, user_id, event_type,
             MIN(occurred_at) AS first_at, MAX(occurred_at) AS last_at
      FROM events
      WHERE ${sql.in("client_id", clientIds)}
      GROUP BY client_id, user_id, event_type
      ORDER BY client_id, user_id, event_type
    `;
    return { summary: [...summary], grouped: [...grouped] };
  });

/**
 * Assigns users to a new experiment and sends them events through the
 * API: single posts and batches, before and after the assignment, several
 * types, retried event ids, and events of another tenant for the same
 * user ids.
 */
const populate = (alpha: ExperimentsClient, beta: ExperimentsClient) =>
  Effect.gen(function* () {
    const experiment = yield* alpha.experiments.create({
      payload: {
        name: "Summary table",
        variants: [
          { name: "control", traffic_allocation: 50 },
          { name: "treatment", traffic_allocation: 50 },
        ],
      },
    });
    const prefix = unique("sum");
    const users = Array.from({ length: 36 }, (_, i) => `${prefix}-${i}`);
    const countries = ["DE", "FR", "US"];
    const assignments = yield* Effect.forEach(
      users,
      (user_id, i) =>
        alpha.assignments.assign({
          path: { experiment_id: experiment.id, user_id },
          payload: { attributes: { country: countries[i % 3] ?? "DE" } },
        }),
      { concurrency: 8 },
    );
    const record = (input: typeof NewEvent.Type) =>
      alpha.events.record({ payload: input });
    const batch = (events: ReadonlyArray<typeof NewEvent.Type>) =>
      alpha.events.recordBatch({ payload: { events } });

    for (const [i, user] of users.entries()) {
      if (i % 4 === 0) yield* record(event(user, "purchase", hoursFromNow(1)));
      if (i % 5 === 0) yield* record(event(user, "purchase", hoursFromNow(-1)));
      if (i % 9 === 0) {
        yield* record(event(user, "signup", hoursFromNow(2), `${user}-s`));
        yield* record(event(user, "signup", hoursFromNow(-5), `${user}-s`));
      }
    }

    const first = assignments[1];
    if (first !== undefined) {
      yield* record(event(first.user_id, "instant", first.created_at));
    }

    yield* batch(
      users.flatMap((user, i) => [
        event(user, "view", hoursFromNow(i % 2 === 0 ? 3 : -3)),
        event(user, "view", hoursFromNow(-4)),
        ...(i % 3 === 0 ? [event(user, "signup", hoursFromNow(1))] : []),
        ...(i % 6 === 0 ? [event(user, "refund", hoursFromNow(-2))] : []),
        ...(i % 7 === 0
          ? [
              event(user, "cart", hoursFromNow(-6), `${user}-c`),
              event(user, "cart", hoursFromNow(6), `${user}-c`),
            ]
          : []),
      ]),
    );
    yield* batch(
      users
        .filter((_, i) => i % 7 === 0)
        .map((user) => event(user, "cart", hoursFromNow(8), `${user}-c`)),
    );
    yield* batch([event(`${prefix}-unassigned`, "purchase", hoursFromNow(1))]);

    yield* beta.events.recordBatch({
      payload: {
        events: users.flatMap((user) => [
          event(user, "purchase", hoursFromNow(1)),
          event(user, "beta-only", hoursFromNow(1)),
        ]),
      },
    });

    return { experiment, users };
  });

layer(testServer(), { excludeTestServices: true })("user_event_types", (it) => {
  it.effect(
    "conversions() answer the same with a window that holds every event",
    () =>
      Effect.gen(function* () {
        const alpha = yield* clientFor(TOKENS.alpha);
        const beta = yield* clientFor(TOKENS.beta);
        const { experiment, users } = yield* populate(alpha, beta);
        const results = (
          urlParams: Parameters<typeof alpha.results.get>[0]["urlParams"],
        ) =>
          alpha.results.get({
            path: { experiment_id: experiment.id },
            urlParams,
          });
        const wide = { from: FAR_PAST, to: FAR_FUTURE };
        const types = ["purchase", "refund", "beta-only", "cart"];

        const summary = yield* results({});
        const raw = yield* results(wide);
        const summaryTyped = yield* results({ event_type: types });
        const rawTyped = yield* results({ ...wide, event_type: types });

        const converted = (type: string) =>
          summary
            .filter((row) => row.event_type === type)
            .reduce((sum, row) => sum + row.user_count_event_type, 0);
        assert.deepStrictEqual(summary, raw);
        assert.deepStrictEqual(summaryTyped, rawTyped);
        assert.deepStrictEqual(
          [...new Set(summary.map((row) => row.event_type))].sort(),
          ["cart", "instant", "purchase", "refund", "signup", "view"],
        );
        assert.strictEqual(
          converted("purchase"),
          users.filter((_, i) => i % 4 === 0).length,
        );
        assert.strictEqual(converted("refund"), 0);
        assert.strictEqual(converted("instant"), 1);
        assert.strictEqual(
          converted("view"),
          users.filter((_, i) => i % 2 === 0).length,
        );
        assert.strictEqual(
          converted("signup"),
          users.filter((_, i) => i % 3 === 0 || i % 9 === 0).length,
        );
        assert.strictEqual(converted("cart"), 0);
        assert.strictEqual(
          summaryTyped.filter((row) => row.event_type === "beta-only").length,
          2,
        );
      }),
  );

  it.effect(
    "segments answer the same with a window that holds every event",
    () =>
      Effect.gen(function* () {
        const alpha = yield* clientFor(TOKENS.alpha);
        const beta = yield* clientFor(TOKENS.beta);
        const { experiment } = yield* populate(alpha, beta);
        const report = (
          urlParams: Parameters<typeof alpha.report.get>[0]["urlParams"],
        ) =>
          Effect.map(
            alpha.report.get({
              path: { experiment_id: experiment.id },
              urlParams,
            }),
            (body) => ({
              overall: body.overall,
              segments: body.segments,
              summary: body.summary,
            }),
          );
        const wide = { from: FAR_PAST, to: FAR_FUTURE };

        const bySummary = yield* report({ segment_by: "country" });
        const byEvents = yield* report({ ...wide, segment_by: "country" });
        const filtered = yield* report({
          segment: ["country:FR"],
          event_type: ["purchase", "view"],
        });
        const filteredRaw = yield* report({
          ...wide,
          segment: ["country:FR"],
          event_type: ["purchase", "view"],
        });

        assert.deepStrictEqual(bySummary, byEvents);
        assert.deepStrictEqual(filtered, filteredRaw);
        assert.deepStrictEqual(
          bySummary.segments?.groups.map((group) => group.value).sort(),
          ["DE", "FR", "US"],
        );
        assert.isAbove(filtered.overall.conversions.length, 0);
      }),
  );

  it.effect("record() and recordBatch() keep the summary rows in step", () =>
    Effect.gen(function* () {
      const alpha = yield* clientFor(TOKENS.alpha);
      const beta = yield* clientFor(TOKENS.beta);
      const user = unique("kept");
      const id = unique("event");

      yield* alpha.events.record({
        payload: event(user, "a", at("2026-10-27T10:00:00.123Z"), id),
      });
      const afterSingle = yield* summaryOf(CLIENTS.alpha, user);
      const receipt = yield* alpha.events.recordBatch({
        payload: {
          events: [
            event(user, "a", at("2026-10-27T09:00:00Z")),
            event(user, "a", at("2026-10-27T11:00:00.5Z")),
            event(user, "b", at("2026-10-27T10:30:00Z")),
            event(user, "b", at("2026-10-27T10:30:00Z")),
          ],
        },
      });
      const afterBatch = yield* summaryOf(CLIENTS.alpha, user);

      assert.deepStrictEqual(afterSingle, [
        ["a", "2026-10-27 10:00:00.123000", "2026-10-27 10:00:00.123000"],
      ]);
      assert.strictEqual(receipt.stored, 4);
      assert.deepStrictEqual(afterBatch, [
        ["a", "2026-10-27 09:00:00.000000", "2026-10-27 11:00:00.500000"],
        ["b", "2026-10-27 10:30:00.000000", "2026-10-27 10:30:00.000000"],
      ]);

      const duplicates = yield* alpha.events.recordBatch({
        payload: {
          events: [
            event(user, "a", at("2026-10-26T00:00:00Z"), id),
            event(user, "c", at("2026-10-28T00:00:00Z"), id),
          ],
        },
      });
      const retried = yield* alpha.events.record({
        payload: event(user, "a", at("2026-10-29T00:00:00Z"), id),
      });
      yield* beta.events.record({
        payload: event(user, "a", at("2026-10-30T00:00:00Z")),
      });

      assert.deepStrictEqual(duplicates, {
        received: 2,
        stored: 0,
        duplicates: 2,
      });
      assert.strictEqual(
        retried.timestamp.toISOString(),
        "2026-10-27T10:00:00.123Z",
      );
      assert.deepStrictEqual(yield* summaryOf(CLIENTS.alpha, user), afterBatch);
      assert.deepStrictEqual(yield* summaryOf(CLIENTS.beta, user), [
        ["a", "2026-10-30 00:00:00.000000", "2026-10-30 00:00:00.000000"],
      ]);
    }),
  );

  it.effect("record() and recordBatch() keep event_properties in step", () =>
    Effect.gen(function* () {
      const alpha = yield* clientFor(TOKENS.alpha);
      const beta = yield* clientFor(TOKENS.beta);
      const user = unique("values");
      const id = unique("event");

      yield* alpha.events.record({
        payload: {
          ...event(user, "buy", at("2026-10-27T10:00:00.123Z"), id),
          properties: MIXED_PROPERTIES,
        },
      });
      yield* alpha.events.recordBatch({
        payload: {
          events: [
            {
              ...event(user, "buy", at("2026-10-27T11:00:00Z")),
              properties: { amount: 7 },
            },
            {
              ...event(user, "buy", at("2026-10-27T11:00:00Z"), id),
              properties: { amount: 1000 },
            },
            event(user, "view", at("2026-10-27T12:00:00Z")),
            {
              ...event(user, "view", at("2026-10-27T13:00:00Z")),
              properties: { page: "/home", seconds: 0 },
            },
          ],
        },
      });
      yield* alpha.events.record({
        payload: {
          ...event(user, "buy", at("2026-10-29T00:00:00Z"), id),
          properties: { amount: 99 },
        },
      });
      yield* beta.events.record({
        payload: {
          ...event(user, "buy", at("2026-10-30T00:00:00Z")),
          properties: { amount: 5 },
        },
      });

      assert.deepStrictEqual(yield* propertiesOf(CLIENTS.alpha, user), [
        ["buy", "2026-10-27 10:00:00.123000", MIXED_PROPERTIES],
        ["buy", "2026-10-27 11:00:00.000000", { amount: 7 }],
        ["view", "2026-10-27 13:00:00.000000", { page: "/home", seconds: 0 }],
      ]);
      assert.deepStrictEqual(yield* propertiesOf(CLIENTS.beta, user), [
        ["buy", "2026-10-30 00:00:00.000000", { amount: 5 }],
      ]);
    }),
  );

  it.effect("user_event_types holds one row per stored user and type", () =>
    Effect.gen(function* () {
      const alpha = yield* clientFor(TOKENS.alpha);
      const beta = yield* clientFor(TOKENS.beta);
      yield* populate(alpha, beta);

      const { summary, grouped } = yield* summaryAndEvents([
        CLIENTS.alpha,
        CLIENTS.beta,
      ]);

      assert.isAbove(summary.length, 100);
      assert.deepStrictEqual(summary, grouped);
    }),
  );
});

const serverUrl = () => inject("mysqlUrl").replace(/\/[^/]*$/, "");

/**
 * A fresh database for one test, dropped when the test ends, with the SQL
 * client on it.
 */
const scratchDatabase = Effect.gen(function* () {
  const name = `expsvc_scratch_${Date.now().toString(36)}_${Math.random()
    .toString(36)
    .slice(2, 8)}`;
  const admin = yield* MysqlClient.make({
    url: Redacted.make(serverUrl()),
  });
  yield* Effect.acquireRelease(
    admin.unsafe(`CREATE DATABASE \`${name}\``),
    () => Effect.orDie(admin.unsafe(`DROP DATABASE IF EXISTS \`${name}\``)),
  );
  return yield* MysqlClient.make({
    url: Redacted.make(`${serverUrl()}/${name}`),
  });
}).pipe(Effect.provide(Reactivity.layer));

/**
 * A scratch database with the given migrations applied, and a way to apply
 * one more.
 */
const migratedScratch = (names: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* scratchDatabase;
    const directory = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "migrations-"))),
      (path) =>
        Effect.promise(() => rm(path, { recursive: true, force: true })),
    );
    const copy = (name: string) =>
      Effect.promise(() =>
        copyFile(join(MIGRATIONS_DIRECTORY, name), join(directory, name)),
      );
    const migrateHere = migrate(directory).pipe(
      Effect.provideService(SqlClient.SqlClient, sql),
    );

    yield* Effect.forEach(names, copy, { discard: true });
    yield* migrateHere;

    const apply = (name: string) => Effect.zipRight(copy(name), migrateHere);
    return { sql, apply };
  });

/** An `events` row for an INSERT that bypasses the service. */
const eventRow = (
  client: string,
  user: string,
  type: string,
  time: string,
  index: number,
  properties: unknown = {},
) => ({
  public_id: `00000000-0000-7000-8000-${String(index).padStart(12, "0")}`,
  client_id: client,
  user_id: user,
  event_type: type,
  occurred_at: time,
  properties: JSON.stringify(properties),
  created_at: time,
  updated_at: time,
});

describe("006_user_event_types", () => {
  it.scoped("migrate() fills user_event_types from the stored events", () =>
    Effect.gen(function* () {
      const { sql, apply } = yield* migratedScratch([
        "001_initial.sql",
        "002_assignment_attributes.sql",
        "003_lifecycle.sql",
        "004_event_ids.sql",
      ]);
      yield* sql`INSERT INTO events ${sql.insert([
        eventRow("one", "u", "view", "2026-10-27 10:00:00.250000", 1),
        eventRow("one", "u", "view", "2026-10-27 08:00:00.000000", 2),
        eventRow("one", "u", "view", "2026-10-27 12:00:00.000000", 3),
        eventRow("one", "u", "buy", "2026-10-27 09:00:00.000000", 4),
        eventRow("two", "u", "view", "2026-10-26 10:00:00.000000", 5),
        eventRow("one", "U", "view", "2026-10-25 10:00:00.000000", 6),
      ])}`;
      const applied = yield* apply("006_user_event_types.sql");
      const rows = yield* sql<SummaryRow>`
        SELECT client_id, user_id, event_type,
               CAST(first_at AS CHAR) AS first_at,
               CAST(last_at AS CHAR) AS last_at
        FROM user_event_types
        ORDER BY client_id, user_id, event_type
      `;

      assert.deepStrictEqual(applied, ["006_user_event_types"]);
      assert.deepStrictEqual(
        rows.map((r) => [
          r.client_id,
          r.user_id,
          r.event_type,
          r.first_at,
          r.last_at,
        ]),
        [
          [
            "one",
            "U",
            "view",
            "2026-10-25 10:00:00.000000",
            "2026-10-25 10:00:00.000000",
          ],
          [
            "one",
            "u",
            "buy",
            "2026-10-27 09:00:00.000000",
            "2026-10-27 09:00:00.000000",
          ],
          [
            "one",
            "u",
            "view",
            "2026-10-27 08:00:00.000000",
            "2026-10-27 12:00:00.000000",
          ],
          [
            "two",
            "u",
            "view",
            "2026-10-26 10:00:00.000000",
            "2026-10-26 10:00:00.000000",
          ],
        ],
      );
    }),
  );
});

describe("007_event_properties", () => {
  it.scoped("migrate() fills event_properties from the stored events", () =>
    Effect.gen(function* () {
      const { sql, apply } = yield* migratedScratch([
        "001_initial.sql",
        "002_assignment_attributes.sql",
        "003_lifecycle.sql",
        "004_event_ids.sql",
        "005_assignment_listing.sql",
        "006_user_event_types.sql",
      ]);
      const time = "2026-10-27 10:00:00.250000";

      yield* sql`INSERT INTO events ${sql.insert([
        eventRow("one", "u", "buy", time, 1, MIXED_PROPERTIES),
        eventRow("one", "u", "view", time, 2),
        eventRow("two", "u", "buy", time, 3, { amount: 5 }),
      ])}`;
      const applied = yield* apply("007_event_properties.sql");
      const rows = yield* sql<{
        readonly client_id: string;
        readonly event_type: string;
        readonly user_id: string;
        readonly occurred_at: string;
        readonly event_public_id: string;
        readonly properties: unknown;
      }>`
        SELECT client_id, event_type, user_id,
               CAST(occurred_at AS CHAR) AS occurred_at, event_public_id,
               properties
        FROM event_properties
        ORDER BY client_id
      `;

      assert.deepStrictEqual(applied, ["007_event_properties"]);
      assert.deepStrictEqual(
        rows.map((row) => ({ ...row, properties: parsed(row.properties) })),
        [
          {
            client_id: "one",
            event_type: "buy",
            user_id: "u",
            occurred_at: time,
            event_public_id: "00000000-0000-7000-8000-000000000001",
            properties: MIXED_PROPERTIES,
          },
          {
            client_id: "two",
            event_type: "buy",
            user_id: "u",
            occurred_at: time,
            event_public_id: "00000000-0000-7000-8000-000000000003",
            properties: { amount: 5 },
          },
        ],
      );
    }),
  );
});
