/**
 * Memory benchmark of `GET /experiments/{id}/assignments/export`. Run with
 * `npx tsx bench/export_memory.ts`.
 *
 * It makes its own database and Redis key prefix, starts the service as a
 * child process against them (so that the server's memory is measured
 * alone), creates one experiment through the API and loads its
 * assignments with SQL: 100,000 first, then up to 1,000,000. After each
 * load it streams the whole export over HTTP, counting lines and bytes
 * without keeping them, while it samples the server's resident memory
 * every 100 ms; the 1,000,000-row export runs twice, to show where the
 * peak settles. The database and the keys are always removed at the end,
 * on failure and on Ctrl-C too.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import mysql, { type Connection } from "mysql2/promise";
import { uuidV7 } from "../src/uuid_v7.ts";
import { caller, expectOk } from "./http_calls.ts";
import { sqlTime } from "./load_data.ts";
import { type BenchResources, createDatabase } from "./resources.ts";
import { cleanUpStep, removeResources, runBenchmark } from "./run_benchmark.ts";
import { type ServiceProcess, startService } from "./server_process.ts";

const FIRST_ROWS = 100_000;
const TOTAL_ROWS = 1_000_000;
const ROWS_PER_INSERT = 5_000;
const INSERTS_PER_TRANSACTION = 10;
const SAMPLE_EVERY_MS = 100;
const EXPORT_DEADLINE_MS = 10 * 60_000;
const TOKEN = "bench-export-token-0123456789";
const CLIENT = "bench-export";
const NEWLINE = 0x0a;

const started = performance.now();
const log = (line: string) => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[${seconds.padStart(6)}s] ${line}`);
};
const section = (title: string) => console.log(`\n== ${title} ==`);
const count = (value: number) => value.toLocaleString("en-US");
const mib = (kib: number) => (kib / 1024).toFixed(1);

/**
 * Names this run's database and key prefix; nothing is created yet.
 *
 * @returns The names, from `BENCH_MYSQL_URL` and `BENCH_REDIS_URL` or the
 * local defaults.
 */
function planExportResources(): BenchResources {
  const runId = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
  const serverUrl = (
    process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306"
  ).replace(/\/+$/, "");
  const database = `expsvc_bench_export_${runId}`;

  return {
    serverUrl,
    databaseUrl: `${serverUrl}/${database}`,
    database,
    redisUrl: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    redisPrefix: `expsvc-bench-export:${runId}:`,
  };
}

/**
 * The resident memory of a process, from `/proc/<pid>/status`.
 *
 * @param pid The process.
 * @returns `VmRSS` in KiB, or 0 when the process is gone.
 */
function residentKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

/** One export through HTTP, and the server's memory during it. */
interface ExportRun {
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  /** Server RSS just before the request, KiB. */
  readonly rssBefore: number;
  /** Highest server RSS sampled during the export, KiB. */
  readonly rssPeak: number;
  readonly samples: number;
}

/**
 * Streams an export and counts its lines and bytes, keeping neither,
 * while sampling the server's RSS.
 *
 * @param baseUrl The service.
 * @param pid The service's process id.
 * @param experimentId The experiment to export.
 * @returns The counts, the time and the memory figures.
 */
async function measureExport(
  baseUrl: string,
  pid: number,
  experimentId: string,
): Promise<ExportRun> {
  const rssBefore = residentKiB(pid);
  let rssPeak = rssBefore;
  let samples = 1;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, residentKiB(pid));
    samples++;
  }, SAMPLE_EVERY_MS);
  const start = performance.now();
  let rows = 0;
  let bytes = 0;
  let firstLine = "";

  try {
    const response = await fetch(
      `${baseUrl}/experiments/${experimentId}/assignments/export`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: AbortSignal.timeout(EXPORT_DEADLINE_MS),
      },
    );
    const type = response.headers.get("content-type") ?? "";
    if (response.status !== 200 || !type.startsWith("application/x-ndjson")) {
      throw new Error(
        `Export assignments: expected 200 application/x-ndjson, got ` +
          `${response.status} ${type}: ${(await response.text()).slice(0, 300)}`,
      );
    }
    if (response.body === null) {
      throw new Error("Export assignments: the answer has no body");
    }

    for await (const chunk of response.body) {
      const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      if (firstLine === "" && bytes === 0) {
        firstLine = buffer.toString("utf8", 0, buffer.indexOf(NEWLINE));
      }
      bytes += buffer.length;
      for (
        let at = buffer.indexOf(NEWLINE);
        at !== -1;
        at = buffer.indexOf(NEWLINE, at + 1)
      ) {
        rows++;
      }
    }
  } finally {
    clearInterval(sampler);
  }
  rssPeak = Math.max(rssPeak, residentKiB(pid));

  const first = JSON.parse(firstLine) as { readonly experiment_id?: string };
  if (first.experiment_id !== experimentId) {
    throw new Error(
      `Export assignments: the first line is not of experiment ` +
        `"${experimentId}": ${firstLine.slice(0, 300)}`,
    );
  }

  return {
    rows,
    bytes,
    seconds: (performance.now() - start) / 1000,
    rssBefore,
    rssPeak,
    samples,
  };
}

interface Target {
  readonly key: number;
  readonly clientId: string;
  readonly variantKeys: ReadonlyArray<number>;
}

const BASE_MS = Date.UTC(2026, 0, 1);

/** Four assignments a millisecond, so ties in time are common. */
const assignmentRow = (target: Target, i: number) => {
  const at = BASE_MS + Math.floor(i / 4);
  const time = sqlTime(at);
  return [
    uuidV7(at),
    target.clientId,
    target.key,
    target.variantKeys[i % target.variantKeys.length] ?? 0,
    `u${i}`,
    time,
    time,
  ];
};

/**
 * Inserts assignments `from` to `to - 1` of the experiment, in multi-row
 * INSERTs inside transactions.
 *
 * @param connection An open connection to the benchmark's database.
 * @param target The experiment's key, tenant and variant keys.
 * @param from The first user number.
 * @param to One past the last user number.
 */
async function loadAssignments(
  connection: Connection,
  target: Target,
  from: number,
  to: number,
): Promise<void> {
  const perTransaction = ROWS_PER_INSERT * INSERTS_PER_TRANSACTION;

  for (let start = from; start < to; start += perTransaction) {
    const end = Math.min(to, start + perTransaction);
    await connection.beginTransaction();
    try {
      for (let batch = start; batch < end; batch += ROWS_PER_INSERT) {
        const rows = [];
        for (let i = batch; i < Math.min(end, batch + ROWS_PER_INSERT); i++) {
          rows.push(assignmentRow(target, i));
        }
        await connection.query(
          "INSERT INTO assignments (public_id, client_id, experiment_id, " +
            "variant_id, user_id, created_at, updated_at) VALUES ?",
          [rows],
        );
      }
      await connection.commit();
    } catch (error) {
      await connection.rollback();
      throw error;
    }
  }
}

const CHUNK_SQL =
  "SELECT public_id, variant_id, user_id, created_at, updated_at " +
  "FROM assignments FORCE INDEX (ix_assignments_experiment_created) " +
  "WHERE experiment_id = ? AND created_at >= ? " +
  "AND (created_at > ? OR public_id > ?) " +
  "ORDER BY created_at, public_id LIMIT 5000";

/**
 * Prints the plan of an export chunk that starts halfway through, and how
 * long a chunk takes at the start, the middle and the end, to show that
 * a chunk costs the same wherever it starts.
 */
async function printChunkCost(
  connection: Connection,
  target: Target,
): Promise<void> {
  const timeOf = (row: number) => sqlTime(BASE_MS + Math.floor(row / 4));
  const middle = timeOf(TOTAL_ROWS / 2);
  const [plan] = await connection.query(`EXPLAIN ${CHUNK_SQL}`, [
    target.key,
    middle,
    middle,
    "",
  ]);
  for (const row of plan as Array<Record<string, unknown>>) {
    log(
      `Plan of a chunk from row ${count(TOTAL_ROWS / 2)}: type ` +
        `${String(row.type)}, key ${String(row.key)}, extra ` +
        `${String(row.Extra)}`,
    );
  }

  const timings: Array<string> = [];
  for (const row of [0, TOTAL_ROWS / 2, TOTAL_ROWS - 5_000]) {
    const at = timeOf(row);
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      await connection.execute(CHUNK_SQL, [target.key, at, at, ""]);
      best = Math.min(best, performance.now() - start);
    }
    timings.push(`${best.toFixed(1)} ms from row ${count(row)}`);
  }
  log(`One chunk of 5,000 rows, best of 3: ${timings.join(", ")}`);
}

const resources = planExportResources();
let connection: Connection | undefined;
let service: ServiceProcess | undefined;

/** Stops the service and removes the database and the keys. */
async function cleanUp(): Promise<void> {
  section("Clean-up");
  connection?.destroy();
  await cleanUpStep("stop the service", async () => service?.stop());
  await removeResources(resources, log);
}

function printRun(run: ExportRun): void {
  log(
    `Exported ${count(run.rows)} rows, ${count(run.bytes)} bytes ` +
      `(${mib(run.bytes / 1024)} MiB) in ${run.seconds.toFixed(1)} s: ` +
      `${count(Math.round(run.rows / run.seconds))} rows/s`,
  );
  log(
    `Server RSS before ${mib(run.rssBefore)} MiB, peak during the export ` +
      `${mib(run.rssPeak)} MiB (+${mib(run.rssPeak - run.rssBefore)} MiB), ` +
      `${run.samples} samples`,
  );
}

async function exportAndCheck(
  running: ServiceProcess,
  pid: number,
  experimentId: string,
  expected: number,
): Promise<ExportRun> {
  const run = await measureExport(running.baseUrl, pid, experimentId);
  printRun(run);
  if (run.rows !== expected) {
    throw new Error(
      `Export assignments: expected ${count(expected)} lines, got ` +
        `${count(run.rows)}`,
    );
  }
  return run;
}

async function run(): Promise<void> {
  section("Set-up");
  log(
    `Machine: ${availableParallelism()} CPUs, load average ` +
      `${loadavg()
        .map((load) => load.toFixed(2))
        .join(" ")}, Node ${process.version}`,
  );
  await createDatabase(resources);
  log(`Created database ${resources.database}`);
  log(`Redis key prefix ${resources.redisPrefix}`);

  service = await startService(
    {
      DATABASE_URL: resources.databaseUrl,
      REDIS_URL: resources.redisUrl,
      REDIS_KEY_PREFIX: resources.redisPrefix,
      VALID_TOKENS: TOKEN,
      TOKEN_CLIENT_ID_MAP: `${TOKEN}:${CLIENT}`,
      LOG_LEVEL: "Error",
    },
    (line) => console.log(`  [service] ${line}`),
  );
  const pid = service.pid;
  if (pid === undefined) throw new Error("Start the service: no process id");
  log(
    `Service: child process (node --import tsx src/main.ts), pid ${pid}, ` +
      `${service.baseUrl}, RSS ${mib(residentKiB(pid))} MiB`,
  );

  const experiment = expectOk(
    "Create the experiment",
    await caller(service.baseUrl, TOKEN).post("/experiments", {
      name: "Export memory (benchmark)",
      variants: [
        { name: "control", traffic_allocation: 34 },
        { name: "one", traffic_allocation: 33 },
        { name: "two", traffic_allocation: 33 },
      ],
    }),
  ) as { readonly id: string };
  log(`Created experiment ${experiment.id}`);

  connection = await mysql.createConnection(resources.databaseUrl);
  const [experiments] = await connection.query(
    "SELECT id, client_id FROM experiments WHERE public_id = ?",
    [experiment.id],
  );
  const header = (experiments as Array<{ id: number; client_id: string }>)[0];
  const [variants] = await connection.query(
    "SELECT id FROM variants WHERE experiment_id = ? ORDER BY position",
    [header?.id ?? 0],
  );
  const target: Target = {
    key: header?.id ?? 0,
    clientId: header?.client_id ?? CLIENT,
    variantKeys: (variants as Array<{ id: number }>).map((row) => row.id),
  };

  section(`Export of ${count(FIRST_ROWS)} rows`);
  let loadStart = performance.now();
  await loadAssignments(connection, target, 0, FIRST_ROWS);
  log(
    `Loaded ${count(FIRST_ROWS)} assignments in ` +
      `${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );
  const small = await exportAndCheck(service, pid, experiment.id, FIRST_ROWS);

  section(`Export of ${count(TOTAL_ROWS)} rows`);
  loadStart = performance.now();
  await loadAssignments(connection, target, FIRST_ROWS, TOTAL_ROWS);
  await connection.query("ANALYZE TABLE assignments");
  log(
    `Loaded ${count(TOTAL_ROWS - FIRST_ROWS)} more assignments in ` +
      `${((performance.now() - loadStart) / 1000).toFixed(1)} s ` +
      `(${count(TOTAL_ROWS)} in all)`,
  );
  await printChunkCost(connection, target);
  const large = await exportAndCheck(service, pid, experiment.id, TOTAL_ROWS);

  section(`Export of ${count(TOTAL_ROWS)} rows again`);
  const again = await exportAndCheck(service, pid, experiment.id, TOTAL_ROWS);

  section("Summary");
  log(
    `Load average now ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")} (other work on the machine slows the rows/s)`,
  );
  log(
    `Peak server RSS: ${mib(small.rssPeak)} MiB exporting ` +
      `${count(small.rows)} rows, ${mib(large.rssPeak)} MiB exporting ` +
      `${count(large.rows)} rows: ratio ` +
      `${(large.rssPeak / small.rssPeak).toFixed(2)} for ` +
      `${(large.rows / small.rows).toFixed(0)}x the rows`,
  );
  log(
    `Growth over the RSS before each export: ` +
      `+${mib(small.rssPeak - small.rssBefore)} MiB at ${count(small.rows)}, ` +
      `+${mib(large.rssPeak - large.rssBefore)} MiB at ${count(large.rows)}`,
  );
  log(
    `A second export of ${count(again.rows)} rows peaks at ` +
      `${mib(again.rssPeak)} MiB: ratio ` +
      `${(again.rssPeak / large.rssPeak).toFixed(2)} to the first`,
  );
}

await runBenchmark(run, cleanUp);
