/**
 * Vitest global setup: gives each test run its own MySQL database and its
 * own Redis key prefix, and removes both when the run ends.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import mysql from "mysql2/promise";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    readonly mysqlUrl: string;
    readonly redisUrl: string;
    readonly redisPrefix: string;
  }
}

const serverUrl = process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Creates the run's database and hands its address to the tests. */
export async function setup(
  project: TestProject,
): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const database = `expsvc_test_${runId}`;
  const redisPrefix = `expsvc-test:${runId}:`;

  const connection = await mysql.createConnection(serverUrl);
  await connection.query(`CREATE DATABASE \`${database}\``);
  await connection.end();

  project.provide("mysqlUrl", `${serverUrl}/${database}`);
  project.provide("redisUrl", redisUrl);
  project.provide("redisPrefix", redisPrefix);

  return async () => {
    const cleanup = await mysql.createConnection(serverUrl);
    await cleanup.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await cleanup.end();
    await deleteKeys(redisPrefix);
  };
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  await redis.quit();
}
