/**
 * The data set, written straight into MySQL with multi-row INSERTs: this
 * is setup, not what is measured. Users are assigned with the service's
 * own hash, so the stored assignments are the ones the service would make.
 * The tables derived from the events are then filled by the migrations'
 * own INSERT statements.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import type { Connection } from "mysql2/promise";
import { assignVariant } from "../src/domain/hashing.ts";
import { uuidV7 } from "../src/uuid_v7.ts";

const DAY_MS = 86_400_000;

/** What to generate. */
export interface DataPlan {
  /** The experiment's internal key. */
  readonly experimentKey: number;
  /** The experiment's salt, from the `experiments` table. */
  readonly salt: string;
  /** Variants in their stored order, the control first. */
  readonly variants: ReadonlyArray<{
    readonly key: number;
    readonly name: string;
    readonly trafficAllocation: number;
  }>;
  /** The experiment's tenant. */
  readonly clientId: string;
  /** Another tenant, whose events share the same user ids. */
  readonly otherClientId: string;
  readonly users: number;
  readonly events: number;
  readonly otherEvents: number;
  /** Assignments spread over this many days before `now`. */
  readonly days: number;
  /** Per-event chance of a purchase, by variant position. */
  readonly purchaseChance: ReadonlyArray<number>;
  readonly now: number;
  /** Rows per INSERT statement. */
  readonly batchRows: number;
  readonly seed: number;
}

/** How the load went. */
export interface LoadReport {
  readonly assignments: number;
  readonly events: number;
  readonly otherEvents: number;
  readonly generateMs: number;
  readonly insertMs: number;
  readonly analyzeMs: number;
  /** Users per variant name. */
  readonly usersByVariant: ReadonlyMap<string, number>;
}

/**
 * A small seeded generator (mulberry32), so every run loads the same data
 * apart from the UUIDs and the clock.
 *
 * @param seed Any 32-bit integer.
 * @returns A function answering numbers in `[0, 1)`.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Formats epoch milliseconds as a `DATETIME(6)` literal in UTC.
 *
 * @param ms Epoch milliseconds.
 * @returns Text such as `2026-10-27 10:32:00.000`.
 */
export const sqlTime = (ms: number): string =>
  new Date(ms).toISOString().replace("T", " ").replace("Z", "");

type Row = ReadonlyArray<string | number>;

interface TimedRow {
  readonly at: number;
  readonly row: Row;
}

const ASSIGNMENT_COLUMNS =
  "public_id, client_id, experiment_id, variant_id, user_id, " +
  "created_at, updated_at";

const EVENT_COLUMNS =
  "public_id, client_id, user_id, event_type, occurred_at, properties, " +
  "created_at, updated_at";

function eventType(random: () => number, purchase: number): string {
  const r = random();
  if (r < purchase) return "purchase";
  if (r < purchase + 0.03) return "signup";
  if (r < purchase + 0.15) return "add_to_cart";
  return "view";
}

function properties(random: () => number, type: string): string {
  if (type === "purchase") {
    const amount = Math.round((5 + random() * 195) * 100) / 100;
    return JSON.stringify({ amount, currency: "EUR" });
  }
  if (type === "view") {
    return JSON.stringify({ page: `/p/${Math.floor(random() * 500)}` });
  }
  return "{}";
}

function eventRow(
  random: () => number,
  clientId: string,
  userId: string,
  type: string,
  occurredAt: number,
): TimedRow {
  const createdAt = occurredAt + Math.floor(random() * 2_000);
  return {
    at: createdAt,
    row: [
      uuidV7(createdAt),
      clientId,
      userId,
      type,
      sqlTime(occurredAt),
      properties(random, type),
      sqlTime(createdAt),
      sqlTime(createdAt),
    ],
  };
}

/**
 * Generates the rows: assignments and both tenants' events, each sorted
 * by creation time so that the auto-increment ids follow time as they
 * would in production.
 *
 * @param plan What to generate.
 * @returns The rows and the users per variant.
 */
export function generate(plan: DataPlan): {
  readonly assignments: ReadonlyArray<Row>;
  readonly events: ReadonlyArray<Row>;
  readonly usersByVariant: ReadonlyMap<string, number>;
} {
  const random = seededRandom(plan.seed);
  const span = plan.days * DAY_MS;
  const assignedAt = new Float64Array(plan.users);
  const position = new Uint8Array(plan.users);
  const usersByVariant = new Map(plan.variants.map((v) => [v.name, 0]));
  const assignments: Array<TimedRow> = [];

  for (let user = 0; user < plan.users; user++) {
    const userId = `u${user}`;
    const variant = assignVariant(plan.salt, userId, plan.variants);
    const at = plan.now - Math.floor(random() * span);
    assignedAt[user] = at;
    position[user] = plan.variants.indexOf(variant);
    usersByVariant.set(
      variant.name,
      (usersByVariant.get(variant.name) ?? 0) + 1,
    );
    assignments.push({
      at,
      row: [
        uuidV7(at),
        plan.clientId,
        plan.experimentKey,
        variant.key,
        userId,
        sqlTime(at),
        sqlTime(at),
      ],
    });
  }

  const events: Array<TimedRow> = [];
  for (let index = 0; index < plan.events; index++) {
    const user = Math.floor(random() * plan.users);
    const assigned = assignedAt[user] as number;
    const chance = plan.purchaseChance[position[user] as number] ?? 0;
    const type = eventType(random, chance);
    const occurredAt =
      random() < 0.9
        ? assigned + Math.floor(random() * (plan.now - assigned))
        : assigned - Math.floor(random() * 3 * DAY_MS);
    events.push(eventRow(random, plan.clientId, `u${user}`, type, occurredAt));
  }
  for (let index = 0; index < plan.otherEvents; index++) {
    const user = Math.floor(random() * plan.users);
    const type = eventType(random, 0.02);
    const occurredAt = plan.now - Math.floor(random() * span);
    events.push(
      eventRow(random, plan.otherClientId, `u${user}`, type, occurredAt),
    );
  }

  const byTime = (a: TimedRow, b: TimedRow) => a.at - b.at;
  return {
    assignments: assignments.sort(byTime).map((timed) => timed.row),
    events: events.sort(byTime).map((timed) => timed.row),
    usersByVariant,
  };
}

async function insertBatches(
  connections: ReadonlyArray<Connection>,
  table: string,
  columns: string,
  rows: ReadonlyArray<Row>,
  batchRows: number,
): Promise<void> {
  let next = 0;
  const worker = async (connection: Connection) => {
    while (next < rows.length) {
      const batch = rows.slice(next, next + batchRows);
      next += batchRows;
      await connection.query(`INSERT INTO ${table} (${columns}) VALUES ?`, [
        batch,
      ]);
    }
  };
  await Promise.all(connections.map(worker));
}

/**
 * Generates the data set and inserts it over the given connections (one
 * worker per connection), then runs `ANALYZE TABLE`.
 *
 * @param connections Open connections to the benchmark's database.
 * @param plan What to generate.
 * @returns Counts and timings.
 */
export async function loadData(
  connections: ReadonlyArray<Connection>,
  plan: DataPlan,
): Promise<LoadReport> {
  const generateStart = performance.now();
  const data = generate(plan);
  const generateMs = performance.now() - generateStart;

  for (const connection of connections) {
    await connection.query("SET SESSION unique_checks = 0");
    await connection.query("SET SESSION foreign_key_checks = 0");
  }
  const insertStart = performance.now();
  await insertBatches(
    connections,
    "assignments",
    ASSIGNMENT_COLUMNS,
    data.assignments,
    plan.batchRows,
  );
  await insertBatches(
    connections,
    "events",
    EVENT_COLUMNS,
    data.events,
    plan.batchRows,
  );
  const insertMs = performance.now() - insertStart;
  for (const connection of connections) {
    await connection.query("SET SESSION unique_checks = 1");
    await connection.query("SET SESSION foreign_key_checks = 1");
  }

  const analyzeStart = performance.now();
  const first = connections[0];
  if (first !== undefined) {
    await first.query("ANALYZE TABLE assignments, events");
  }
  const analyzeMs = performance.now() - analyzeStart;

  return {
    assignments: data.assignments.length,
    events: plan.events,
    otherEvents: plan.otherEvents,
    generateMs,
    insertMs,
    analyzeMs,
    usersByVariant: data.usersByVariant,
  };
}

/** How filling one table derived from the events went. */
export interface FillReport {
  readonly table: string;
  readonly rows: number;
  readonly insertMs: number;
  readonly analyzeMs: number;
}

/**
 * The INSERT of a migration that creates a table and then fills it: the
 * text from the first line that starts with `INSERT` to the end, without
 * the closing semicolon.
 *
 * @param text The migration file's text.
 * @param name The file's name, for the error message.
 * @returns The statement and the table it fills.
 * @throws When there is no INSERT, or more than one statement after it.
 */
export function insertOfMigration(
  text: string,
  name: string,
): { readonly statement: string; readonly table: string } {
  const start = text.search(/^INSERT\b/m);
  if (start < 0) {
    throw new Error(`Read the INSERT of migration "${name}": none found`);
  }
  const statement = text.slice(start).trim().replace(/;$/, "");
  if (statement.includes(";")) {
    throw new Error(
      `Read the INSERT of migration "${name}": more than one statement`,
    );
  }
  const table = /^INSERT\s+(?:IGNORE\s+)?INTO\s+(\w+)/.exec(statement)?.[1];
  if (table === undefined) {
    throw new Error(`Read the INSERT of migration "${name}": no table`);
  }
  return { statement, table };
}

/**
 * Fills a table derived from the events by running the INSERT of the
 * migration that created it, as that migration does on a database that
 * already holds events. The loader bypasses the service, whose writes
 * would otherwise keep the table up to date. Then runs `ANALYZE TABLE`
 * and counts the table's rows.
 *
 * @param connection A connection to the benchmark's database.
 * @param name The migration's file name in `sql/`.
 * @returns The table, its rows and the time of each step.
 */
export async function fillFromMigration(
  connection: Connection,
  name: string,
): Promise<FillReport> {
  const text = await readFile(new URL(`../sql/${name}`, import.meta.url), {
    encoding: "utf8",
  });
  const { statement, table } = insertOfMigration(text, name);

  const insertStart = performance.now();
  await connection.query(statement);
  const insertMs = performance.now() - insertStart;

  const analyzeStart = performance.now();
  await connection.query(`ANALYZE TABLE ${table}`);
  const analyzeMs = performance.now() - analyzeStart;

  const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM ${table}`);
  const count = Number((rows as Array<{ n: unknown }>)[0]?.n ?? 0);
  return { table, rows: count, insertMs, analyzeMs };
}
