/**
 * What storing events costs, by how many properties they carry. Run with
 * `npm run bench:ingest`.
 *
 * The properties of each event that has any are copied to a row of
 * `event_properties`, in the transaction that stores the event. This run
 * sends `POST /events/batch` with 1,000 events at a time, taking turns
 * between events without properties, with 2 and with 8, and prints the
 * latency of each and their ratios. It makes its own database, starts
 * the service as a child process against it, and drops the database at
 * the end, on failure and on Ctrl-C too.
 *
 * @module
 */
import mysql from "mysql2/promise";
import { caller } from "./http_calls.ts";
import {
  type Latency,
  type LoopPath,
  latencyTable,
  measureInterleaved,
  warmUp,
} from "./report_latency.ts";
import { createDatabase, planResources } from "./resources.ts";
import { cleanUpStep, removeResources, runBenchmark } from "./run_benchmark.ts";
import { type ServiceProcess, startService } from "./server_process.ts";

const BATCH = 1_000;
const ROUNDS = 30;
const LOOP_LIMIT_MS = 180_000;
const USERS = 20_000;
const TOKEN = "bench-ingest-token-0123456789";
const CLIENT = "bench-ingest";

type Properties = Readonly<Record<string, unknown>>;

/** The event shapes, by the properties each event carries. */
const SHAPES: ReadonlyArray<readonly [string, (index: number) => Properties]> =
  [
    ["no properties", () => ({})],
    ["2 properties", (index) => ({ amount: index / 8, currency: "EUR" })],
    [
      "8 properties",
      (index) => ({
        amount: index / 8,
        quantity: index % 5,
        currency: "EUR",
        page: `/product/${index % 300}`,
        referrer: "search",
        device: index % 2 === 0 ? "mobile" : "desktop",
        logged_in: index % 3 === 0,
        coupon: null,
      }),
    ],
  ];

const resources = planResources();
let service: ServiceProcess | undefined;

/** Stops the service and removes the database. */
async function cleanUp(): Promise<void> {
  await cleanUpStep("stop the service", async () => service?.stop());
  await removeResources(resources, console.log);
}

/**
 * A batch of events for distinct users, half an hour apart at most, each
 * with the properties of one shape.
 */
function batchOf(round: number, properties: (index: number) => Properties) {
  const now = Date.now();
  return {
    events: Array.from({ length: BATCH }, (_, index) => ({
      user_id: `u${(round * BATCH + index) % USERS}`,
      type: index % 10 === 0 ? "purchase" : "view",
      timestamp: new Date(now - index * 1_800).toISOString(),
      properties: properties(index),
    })),
  };
}

async function countRows(table: string): Promise<number> {
  const connection = await mysql.createConnection(resources.databaseUrl);
  try {
    const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
  } finally {
    await connection.end();
  }
}

async function run(): Promise<void> {
  await createDatabase(resources);
  service = await startService(
    {
      DATABASE_URL: resources.databaseUrl,
      VALID_TOKENS: TOKEN,
      TOKEN_CLIENT_ID_MAP: `${TOKEN}:${CLIENT}`,
      LOG_LEVEL: "Error",
    },
    (line) => console.log(`  [service] ${line}`),
  );
  const api = caller(service.baseUrl, TOKEN);

  const rounds = new Map<string, number>();
  const paths: Array<LoopPath> = SHAPES.map(([label, properties]) => ({
    label,
    send: async () => {
      const round = rounds.get(label) ?? 0;
      rounds.set(label, round + 1);
      const answer = await api.post(
        "/events/batch",
        batchOf(round, properties),
      );
      if (answer.status !== 201) {
        throw new Error(
          `POST /events/batch (${label}) answered ${answer.status}: ` +
            JSON.stringify(answer.body).slice(0, 300),
        );
      }
    },
  }));

  for (const path of paths) await warmUp(2, path.send);
  console.log(
    `Measuring ${paths.length} shapes in turns, ${ROUNDS} rounds of ` +
      `${BATCH} events each at most`,
  );
  const measured = await measureInterleaved(paths, ROUNDS, LOOP_LIMIT_MS);
  console.log(latencyTable(measured));

  const [none, two, eight] = measured as [Latency, Latency, Latency];
  const events = await countRows("events");
  const values = await countRows("event_properties");
  const ratio = (a: Latency, b: Latency) =>
    (a.medianMs / b.medianMs).toFixed(2);
  console.log(
    [
      `events stored: ${events}; event_properties rows: ${values}`,
      `2 properties / none: ${ratio(two, none)}`,
      `8 properties / none: ${ratio(eight, none)}`,
      `events per second, one batch in flight: none ` +
        `${((BATCH * 1000) / none.medianMs).toFixed(0)}, 2 properties ` +
        `${((BATCH * 1000) / two.medianMs).toFixed(0)}, 8 properties ` +
        `${((BATCH * 1000) / eight.medianMs).toFixed(0)}`,
    ].join("\n"),
  );
}

await runBenchmark(run, cleanUp);
