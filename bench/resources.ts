/**
 * The benchmark's own MySQL database and Redis key prefix: created at the
 * start, dropped at the end, and touched by nothing else.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import mysql from "mysql2/promise";

/** Where the benchmark's database and keys live. */
export interface BenchResources {
  /** The MySQL server, without a database. */
  readonly serverUrl: string;
  /** The MySQL URL of the benchmark's own database. */
  readonly databaseUrl: string;
  /** The benchmark's database. */
  readonly database: string;
  /** The Redis server. */
  readonly redisUrl: string;
  /** The prefix of every key the service under test writes. */
  readonly redisPrefix: string;
}

/**
 * Names a new database and key prefix from the environment
 * (`BENCH_MYSQL_URL`, `BENCH_REDIS_URL`) and a random run id.
 *
 * @returns The names; nothing is created yet.
 */
export function planResources(): BenchResources {
  const runId = `${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const serverUrl = (
    process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306"
  ).replace(/\/+$/, "");
  const database = `expsvc_bench_${runId}`;

  return {
    serverUrl,
    databaseUrl: `${serverUrl}/${database}`,
    database,
    redisUrl: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    redisPrefix: `expsvc-bench:${runId}:`,
  };
}

/**
 * Creates the benchmark's database.
 *
 * @param resources The names from {@linkcode planResources}.
 */
export async function createDatabase(resources: BenchResources): Promise<void> {
  const connection = await mysql.createConnection(resources.serverUrl);
  try {
    await connection.query(`CREATE DATABASE \`${resources.database}\``);
  } finally {
    await connection.end();
  }
}

/**
 * Drops the benchmark's database if it exists.
 *
 * @param resources The names from {@linkcode planResources}.
 */
export async function dropDatabase(resources: BenchResources): Promise<void> {
  const connection = await mysql.createConnection(resources.serverUrl);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${resources.database}\``);
  } finally {
    await connection.end();
  }
}

/**
 * Visits the keys under the benchmark's prefix, a batch at a time.
 *
 * @param resources The names from {@linkcode planResources}.
 * @param visit Called with each non-empty batch of keys.
 */
async function scanKeys(
  resources: BenchResources,
  visit: (redis: Redis, keys: ReadonlyArray<string>) => Promise<void>,
): Promise<void> {
  const redis = new Redis(resources.redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(
        cursor,
        "MATCH",
        `${resources.redisPrefix}*`,
        "COUNT",
        1000,
      );
      if (keys.length > 0) await visit(redis, keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}

/**
 * Deletes every Redis key under the benchmark's prefix.
 *
 * @param resources The names from {@linkcode planResources}.
 * @returns How many keys it deleted.
 */
export async function deleteKeys(resources: BenchResources): Promise<number> {
  let deleted = 0;
  await scanKeys(resources, async (redis, keys) => {
    deleted += await redis.del(...keys);
  });
  return deleted;
}

/**
 * Counts what is left of the run: whether the database still exists and
 * how many keys remain under the prefix.
 *
 * @param resources The names from {@linkcode planResources}.
 * @returns The database's presence and the number of keys.
 */
export async function leftovers(
  resources: BenchResources,
): Promise<{ readonly database: boolean; readonly keys: number }> {
  const connection = await mysql.createConnection(resources.serverUrl);
  let database: boolean;
  try {
    const [rows] = await connection.query(
      "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA " +
        "WHERE SCHEMA_NAME = ?",
      [resources.database],
    );
    database = Number((rows as Array<{ n: number }>)[0]?.n ?? 0) > 0;
  } finally {
    await connection.end();
  }

  let keys = 0;
  await scanKeys(resources, async (_redis, found) => {
    keys += found.length;
  });
  return { database, keys };
}
