/**
 * Benchmark of the results analysis at 1,000,000 events and 100,000 users,
 * with the assignment path alongside. Run with `npm run bench`.
 *
 * It makes its own database and Redis key prefix, starts the service as a
 * child process against them, creates one experiment through the API,
 * loads the data set with SQL and fills the tables derived from the
 * events with the migrations' INSERTs, measures the endpoints, prints the
 * plans of the analysis queries and a summary of ratios, and always
 * removes the database and the keys, on failure and on Ctrl-C too.
 *
 * @module
 */
import { availableParallelism, cpus, totalmem } from "node:os";
import mysql, { type Connection } from "mysql2/promise";
import { assignVariant } from "../src/domain/hashing.ts";
import {
  analyzeSteps,
  conversionsPerDaySql,
  explain,
  rawEventsConversionsSql,
  runStatement,
  type SqlStatement,
  summaryConversionsSql,
  valueTotalsSql,
} from "./explain_query.ts";
import { caller, expectOk, isMissingRoute } from "./http_calls.ts";
import {
  type FillReport,
  fillFromMigration,
  type LoadReport,
  loadData,
} from "./load_data.ts";
import {
  type Latency,
  type LoopPath,
  latencyTable,
  measure,
  measureInterleaved,
  warmUp,
} from "./report_latency.ts";
import { createDatabase, planResources } from "./resources.ts";
import { cleanUpStep, removeResources, runBenchmark } from "./run_benchmark.ts";
import { type ServiceProcess, startService } from "./server_process.ts";

const USERS = 100_000;
const EVENTS = 1_000_000;
const OTHER_EVENTS = 200_000;
const RESULTS_REQUESTS = 20;
const ASSIGNMENT_REQUESTS = 2_000;
const ASSIGNMENT_CONCURRENCY = 8;
const LOOP_LIMIT_MS = 60_000;
/** `QUERY_DEADLINE` in src/db/mysql.ts: a query past it answers 503. */
const QUERY_DEADLINE_MS = 10_000;
/** A dashboard refresh interval to compare the results path with. */
const REFRESH_MS = 3_000;
/** What a dashboard would ask the report for besides conversions. */
const DASHBOARD_QUERY = "value_metric=purchase:amount&granularity=day";
/**
 * A window that holds every event. Results take the windowed form of the
 * query over `user_event_types` and should answer the same rows as
 * without a window. Every event comes before its upper bound, so the
 * first and last times decide and the events' index is not read.
 */
const WIDE_WINDOW = "from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z";
/**
 * A window that cuts users' events: when a user's first event of a type
 * comes before the assignment and the last one more than 3 days after
 * it, the query looks the user's events of that type up in the index.
 */
const THREE_DAY_WINDOW = "conversion_window=P3D";
/** The migrations that fill tables derived from the events. */
const DERIVED_TABLE_MIGRATIONS = [
  "006_user_event_types.sql",
  "007_event_properties.sql",
] as const;

/** The measured paths' labels, as the summary prints them. */
const LABELS = {
  results: "results",
  wideWindow: "results with a window",
  threeDays: "results, conversion_window=P3D",
  filtered: "results?event_type=purchase",
  report: "report",
  dashboard: "report, dashboard",
  dashboardWindow: "report, dashboard + window",
  baseline: "old raw-events SQL, direct (baseline)",
} as const;

const TOKENS = {
  alpha: "bench-token-alpha-0123456789",
  beta: "bench-token-beta-9876543210",
} as const;
const CLIENTS = { alpha: "bench-alpha", beta: "bench-beta" } as const;

const started = performance.now();
const log = (line: string) => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[${seconds.padStart(6)}s] ${line}`);
};
const section = (title: string) => console.log(`\n== ${title} ==`);

const resources = planResources();
const connections: Array<Connection> = [];
let service: ServiceProcess | undefined;

/** Stops the service and removes the database and the keys. */
async function cleanUp(): Promise<void> {
  section("Clean-up");
  for (const connection of connections) connection.destroy();
  await cleanUpStep("stop the service", async () => service?.stop());
  await removeResources(resources, log);
}

interface Experiment {
  readonly id: string;
  readonly status: string;
}

interface ResultRow {
  readonly variant_name: string;
  readonly event_type: string;
  readonly user_count: number;
  readonly user_count_event_type: number;
  readonly conversion_rate: number;
  readonly relative_lift: number | null;
  readonly adjusted_p_value: number | null;
  readonly chance_to_beat_control: number | null;
}

async function printMachine(connection: Connection): Promise<void> {
  const [rows] = await connection.query(
    "SELECT VERSION() AS version, " +
      "@@innodb_buffer_pool_size AS pool, " +
      "@@innodb_flush_log_at_trx_commit AS flush",
  );
  const server = (rows as Array<Record<string, unknown>>)[0] ?? {};
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
  log(
    `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "?"}), ` +
      `${gib(totalmem())} GiB memory, Node ${process.version}`,
  );
  log(
    `MySQL: ${String(server.version)}, innodb_buffer_pool_size ` +
      `${Number(server.pool) / 2 ** 20} MiB, ` +
      `innodb_flush_log_at_trx_commit ${String(server.flush)}`,
  );
}

async function printPlan(
  connection: Connection,
  title: string,
  statement: SqlStatement,
): Promise<void> {
  section(`EXPLAIN: ${title}`);
  console.log(statement.sql);
  console.log(`-- parameters: ${JSON.stringify(statement.params)}`);
  console.log(await explain(connection, statement));
  console.log("Where the time goes (ANALYZE FORMAT=JSON):");
  for (const step of await analyzeSteps(connection, statement)) {
    console.log(`  ${step}`);
  }
}

function printRows(rows: ReadonlyArray<ResultRow>): void {
  const number = (value: number | null, digits: number) =>
    value === null ? "-" : value.toFixed(digits);
  for (const row of rows) {
    console.log(
      `  ${row.event_type.padEnd(12)} ${row.variant_name.padEnd(10)} ` +
        `users ${String(row.user_count).padStart(6)}  converted ` +
        `${String(row.user_count_event_type).padStart(6)}  rate ` +
        `${number(row.conversion_rate, 4)}  rel. lift ` +
        `${number(row.relative_lift, 4)}  adj. p ` +
        `${number(row.adjusted_p_value, 6)}  P(beat) ` +
        `${number(row.chance_to_beat_control, 4)}`,
    );
  }
}

async function run(): Promise<void> {
  section("Set-up");
  await createDatabase(resources);
  log(`Created database ${resources.database}`);
  log(`Redis key prefix ${resources.redisPrefix}`);

  service = await startService(
    {
      DATABASE_URL: resources.databaseUrl,
      REDIS_URL: resources.redisUrl,
      REDIS_KEY_PREFIX: resources.redisPrefix,
      VALID_TOKENS: `${TOKENS.alpha},${TOKENS.beta}`,
      TOKEN_CLIENT_ID_MAP: [
        `${TOKENS.alpha}:${CLIENTS.alpha}`,
        `${TOKENS.beta}:${CLIENTS.beta}`,
      ].join(","),
      LOG_LEVEL: "Error",
    },
    (line) => console.log(`  [service] ${line}`),
  );
  log(
    `Service: child process (node --import tsx src/main.ts), ` +
      `pid ${service.pid}, ${service.baseUrl}`,
  );

  const alpha = caller(service.baseUrl, TOKENS.alpha);
  const experiment = expectOk(
    "Create the experiment",
    await alpha.post("/experiments", {
      name: "Checkout button (benchmark)",
      description: "Synthetic data for bench/mod.ts",
      variants: [
        { name: "control", traffic_allocation: 50 },
        { name: "treatment", traffic_allocation: 50 },
      ],
      status: "active",
    }),
  ) as Experiment;
  log(
    `Created experiment ${experiment.id} through POST /experiments ` +
      `(status ${experiment.status})`,
  );

  for (let index = 0; index < 2; index++) {
    const connection = await mysql.createConnection(resources.databaseUrl);
    connections.push(connection);
  }
  const db = connections[0] as Connection;
  await printMachine(db);

  const [experimentRows] = await db.query(
    "SELECT id, salt, client_id FROM experiments WHERE public_id = ?",
    [experiment.id],
  );
  const stored = (
    experimentRows as Array<{ id: number; salt: string; client_id: string }>
  )[0];
  if (stored === undefined) throw new Error("Read the experiment: no row");
  const [variantRows] = await db.query(
    "SELECT id AS `key`, name, traffic_allocation AS trafficAllocation " +
      "FROM variants WHERE experiment_id = ? ORDER BY position",
    [stored.id],
  );
  const variants = variantRows as Array<{
    key: number;
    name: string;
    trafficAllocation: number;
  }>;

  section("Loading the data set (setup, not measured)");
  const load: LoadReport = await loadData(connections, {
    experimentKey: stored.id,
    salt: stored.salt,
    variants,
    clientId: stored.client_id,
    otherClientId: CLIENTS.beta,
    users: USERS,
    events: EVENTS,
    otherEvents: OTHER_EVENTS,
    days: 14,
    purchaseChance: [0.02, 0.022],
    now: Date.now(),
    batchRows: 5_000,
    seed: 20_261_027,
  });
  const total = load.generateMs + load.insertMs + load.analyzeMs;
  log(
    `Loaded ${load.assignments} assignments, ${load.events} events of ` +
      `${stored.client_id} and ${load.otherEvents} of ${CLIENTS.beta}`,
  );
  log(
    `Users per variant: ${[...load.usersByVariant]
      .map(([name, users]) => `${name} ${users}`)
      .join(", ")}`,
  );
  log(
    `Loading took ${(total / 1000).toFixed(1)} s: generate ` +
      `${(load.generateMs / 1000).toFixed(1)} s, INSERT ` +
      `${(load.insertMs / 1000).toFixed(1)} s (5,000 rows a statement, ` +
      `${connections.length} connections), ANALYZE ` +
      `${(load.analyzeMs / 1000).toFixed(1)} s`,
  );

  const fills: Array<FillReport> = [];
  for (const migration of DERIVED_TABLE_MIGRATIONS) {
    const fill = await fillFromMigration(db, migration);
    fills.push(fill);
    log(
      `Filled ${fill.table} with the INSERT of ${migration}: ` +
        `${fill.rows} rows, INSERT ${(fill.insertMs / 1000).toFixed(1)} s, ` +
        `ANALYZE ${(fill.analyzeMs / 1000).toFixed(1)} s`,
    );
  }

  section("Results and report (one request at a time, taking turns)");
  const base = `/experiments/${experiment.id}`;
  const loops: Array<Latency> = [];
  const resultsOf = async (path: string) =>
    expectOk(`GET ${path}`, await alpha.get(path)) as Array<ResultRow>;

  const unfiltered = await resultsOf(`${base}/results`);
  log(`GET ${base}/results answered ${unfiltered.length} rows:`);
  printRows(unfiltered);
  const widelyWindowed = await resultsOf(`${base}/results?${WIDE_WINDOW}`);
  const sameRows =
    JSON.stringify(widelyWindowed) === JSON.stringify(unfiltered);
  log(`GET ${base}/results?${WIDE_WINDOW} answers the same rows: ${sameRows}`);
  const threeDayResults = `${base}/results?${THREE_DAY_WINDOW}`;
  const threeDays = await alpha.get(threeDayResults);
  log(
    `GET ${threeDayResults} answered ${threeDays.status}` +
      (threeDays.status === 200
        ? ":"
        : ` ${JSON.stringify(threeDays.body).slice(0, 200)}`),
  );
  if (threeDays.status === 200) {
    printRows(threeDays.body as Array<ResultRow>);
  }

  const paths: Array<LoopPath> = [];
  const addPath = async (label: string, path: string) => {
    await warmUp(2, () => resultsOf(path));
    paths.push({ label, send: () => resultsOf(path) });
  };
  const failures = new Map<string, Array<number>>();
  const sendCounting = (path: string, statuses: Array<number>) => async () => {
    const answer = await alpha.get(path);
    if (answer.status === 200) return;
    statuses.push(answer.status);
    if (statuses.length === 1) {
      log(
        `GET ${path} answered ${answer.status}: ` +
          JSON.stringify(answer.body).slice(0, 200),
      );
    }
  };
  const addCountedPath = async (label: string, path: string) => {
    const warmUpFailures: Array<number> = [];
    await warmUp(2, sendCounting(path, warmUpFailures));
    const statuses: Array<number> = [];
    failures.set(label, statuses);
    paths.push({ label, send: sendCounting(path, statuses) });
    log(
      `"${label}" is GET ${path}; its answers other than 200 are ` +
        `counted, not fatal (warm-up: ${warmUpFailures.length} of 2)`,
    );
  };

  await addPath(LABELS.results, `${base}/results`);
  await addPath(LABELS.wideWindow, `${base}/results?${WIDE_WINDOW}`);
  await addCountedPath(LABELS.threeDays, threeDayResults);
  await addPath(LABELS.filtered, `${base}/results?event_type=purchase`);

  const probe = await alpha.get(`${base}/report`);
  const skipped: Array<string> = [];
  if (isMissingRoute(probe)) {
    const line =
      `GET ${base}/report: no such route ` +
      `(${probe.status} ${JSON.stringify(probe.body)})`;
    skipped.push(line);
    log(`Skipped: ${line}`);
  } else {
    expectOk(`GET ${base}/report`, probe);
    await addPath(LABELS.report, `${base}/report`);
    const dashboard = `${base}/report?${DASHBOARD_QUERY}`;
    await addCountedPath(LABELS.dashboard, dashboard);
    await addCountedPath(
      LABELS.dashboardWindow,
      `${dashboard}&${THREE_DAY_WINDOW}`,
    );
  }

  const ids = { clientId: stored.client_id, experimentKey: stored.id };
  const rawEvents = rawEventsConversionsSql(ids);
  await warmUp(1, () => runStatement(db, rawEvents));
  paths.push({
    label: LABELS.baseline,
    send: () => runStatement(db, rawEvents),
  });

  log(
    `Measuring ${paths.map((path) => path.label).join(", ")}: taking ` +
      `turns, ${RESULTS_REQUESTS} rounds at most`,
  );
  const measured = await measureInterleaved(
    paths,
    RESULTS_REQUESTS,
    LOOP_LIMIT_MS * paths.length,
  );
  loops.push(...measured);
  console.log(latencyTable(measured));
  const byLabel = (label: string) =>
    measured.find((latency) => latency.label === label);
  const notes = [...failures].map(([label, statuses]) => {
    const kinds = [...new Set(statuses)].join(", ");
    return (
      `${label}: ${statuses.length} of ${byLabel(label)?.requests ?? 0} ` +
      `answers were not 200${statuses.length === 0 ? "" : ` (${kinds})`}`
    );
  });

  section(
    `Assignments (${ASSIGNMENT_CONCURRENCY} in flight, ` +
      `${ASSIGNMENT_REQUESTS} users each)`,
  );
  const assignmentOf = async (userId: string) =>
    expectOk(
      `GET assignment of ${userId}`,
      await alpha.get(`${base}/assignment/${encodeURIComponent(userId)}`),
    ) as { readonly variant_name: string };

  await warmUp(200, async (index) => {
    await assignmentOf(`u${USERS - 1 - index}`);
  });
  const assignmentLoop = async (
    label: string,
    user: (index: number) => string,
    check?: (userId: string, variant: string) => void,
  ) => {
    const latency = await measure({
      label,
      count: ASSIGNMENT_REQUESTS,
      concurrency: ASSIGNMENT_CONCURRENCY,
      maxMs: LOOP_LIMIT_MS,
      send: async (index) => {
        const userId = user(index);
        const answer = await assignmentOf(userId);
        check?.(userId, answer.variant_name);
      },
    });
    loops.push(latency);
    log(
      `${label}: ${latency.perSecond.toFixed(0)} req/s, median ` +
        `${latency.medianMs.toFixed(1)} ms`,
    );
    return latency;
  };

  const cold = await assignmentLoop(
    "assignment, stored, cache cold",
    (index) => `u${index}`,
  );
  const hit = await assignmentLoop(
    "assignment, cache hit",
    (index) => `u${index}`,
  );
  let mismatches = 0;
  const first = await assignmentLoop(
    "assignment, first (new user)",
    (index) => `new-${index}`,
    (userId, variant) => {
      if (assignVariant(stored.salt, userId, variants).name !== variant) {
        mismatches++;
      }
    },
  );
  const [newRows] = await db.query(
    "SELECT COUNT(*) AS n FROM assignments " +
      "WHERE experiment_id = ? AND user_id LIKE 'new-%'",
    [stored.id],
  );
  log(
    `New users stored: ${(newRows as Array<{ n: number }>)[0]?.n}; whose ` +
      `variant differs from assignVariant in the benchmark: ${mismatches}`,
  );

  await printPlan(
    db,
    "Baseline: the raw-events conversions SQL the service sent before " +
      "the summary tables (not what it sends now)",
    rawEvents,
  );
  await printPlan(
    db,
    "conversions of results without a window (user_event_types)",
    summaryConversionsSql(ids),
  );
  await printPlan(
    db,
    "conversionsPerPeriod of the dashboard report (day, no window)",
    conversionsPerDaySql(ids),
  );
  await printPlan(
    db,
    "valueTotals of the dashboard report (purchase:amount, no window)",
    valueTotalsSql(ids, "purchase", "amount"),
  );

  section("Summary (figures of this run on this machine, not promises)");
  console.log(latencyTable(loops));
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? "not measured" : (a / b).toFixed(2);
  const median = (label: string) => byLabel(label)?.medianMs;
  const p95 = (label: string) => byLabel(label)?.p95Ms;
  const refresh = `${REFRESH_MS / 1000} s refresh interval`;
  const deadline = `${QUERY_DEADLINE_MS / 1000} s query deadline`;
  const ratios: ReadonlyArray<readonly [string, string]> = [
    [
      `${LABELS.wideWindow} / ${LABELS.results}`,
      ratio(median(LABELS.wideWindow), median(LABELS.results)),
    ],
    [
      `${LABELS.threeDays} / ${LABELS.results}`,
      ratio(median(LABELS.threeDays), median(LABELS.results)),
    ],
    [
      "results with filter / without",
      ratio(median(LABELS.filtered), median(LABELS.results)),
    ],
    [
      `${LABELS.results} / old raw-events SQL alone`,
      ratio(median(LABELS.results), median(LABELS.baseline)),
    ],
    [
      `${LABELS.report} / ${LABELS.results}`,
      ratio(median(LABELS.report), median(LABELS.results)),
    ],
    [
      `${LABELS.dashboard} / ${LABELS.results}`,
      ratio(median(LABELS.dashboard), median(LABELS.results)),
    ],
    [
      `${LABELS.dashboardWindow} / ${LABELS.dashboard}`,
      ratio(median(LABELS.dashboardWindow), median(LABELS.dashboard)),
    ],
    ["cache-hit / first assignment", ratio(hit.medianMs, first.medianMs)],
    ["cache-hit / stored, cache cold", ratio(hit.medianMs, cold.medianMs)],
    [
      `${LABELS.results} median / ${refresh}`,
      ratio(median(LABELS.results), REFRESH_MS),
    ],
    [
      `${LABELS.dashboard} median / ${refresh}`,
      ratio(median(LABELS.dashboard), REFRESH_MS),
    ],
    [
      `${deadline} / ${LABELS.results} p95`,
      ratio(QUERY_DEADLINE_MS, p95(LABELS.results)),
    ],
    [
      `${deadline} / ${LABELS.dashboard} p95`,
      ratio(QUERY_DEADLINE_MS, p95(LABELS.dashboard)),
    ],
    [
      `${deadline} / ${LABELS.dashboardWindow} p95`,
      ratio(QUERY_DEADLINE_MS, p95(LABELS.dashboardWindow)),
    ],
  ];
  const width = Math.max(...ratios.map(([label]) => label.length)) + 1;
  const derived = fills
    .map((fill) => `${fill.table} ${fill.rows} rows`)
    .join(", ");
  const lines = [
    `data: ${USERS} users, ${EVENTS} events (+${OTHER_EVENTS} of another ` +
      `tenant); loading took ${(total / 1000).toFixed(1)} s; ${derived}`,
    ...ratios.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`),
  ];
  console.log(lines.join("\n"));
  for (const line of skipped) console.log(`not measured: ${line}`);
  for (const line of notes) console.log(line);
}

await runBenchmark(run, cleanUp);
log("Done");
