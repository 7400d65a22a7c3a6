import { type ChildProcess, spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { connect, createServer, type Server, type Socket } from "node:net";
import { assert, layer } from "@effect/vitest";
import { Context, Effect, Layer } from "effect";
import { inject } from "vitest";
import {
  clientFor,
  TOKENS,
  testEnvironment,
  testServer,
} from "../support/harness.ts";

/** A TCP proxy in front of MySQL that a test can cut. */
class MysqlProxy extends Context.Tag("MysqlProxy")<
  MysqlProxy,
  { readonly port: number; readonly cut: Effect.Effect<void> }
>() {}

const startProxy = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ server: Server; sockets: Set<Socket> }>((resolve) => {
        const target = new URL(inject("mysqlUrl"));
        const sockets = new Set<Socket>();
        const server = createServer((client) => {
          const upstream = connect(
            Number(target.port || 3306),
            target.hostname,
          );
          for (const socket of [client, upstream]) {
            sockets.add(socket);
            socket.on("error", () => socket.destroy());
            socket.on("close", () => sockets.delete(socket));
          }
          client.pipe(upstream).pipe(client);
        });
        server.listen(0, "127.0.0.1", () => resolve({ server, sockets }));
      }),
  ),
  ({ server, sockets }) =>
    Effect.sync(() => {
      server.close();
      for (const socket of sockets) socket.destroy();
    }),
);

const throughProxy = Layer.unwrapScoped(
  Effect.map(startProxy, ({ server, sockets }) => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const url = new URL(inject("mysqlUrl"));
    url.port = String(port);
    const cut = Effect.sync(() => {
      server.close();
      for (const socket of sockets) socket.destroy();
    });

    return testServer({ DATABASE_URL: url.toString() }).pipe(
      Layer.merge(Layer.succeed(MysqlProxy, { port, cut })),
    );
  }),
);

layer(throughProxy, { excludeTestServices: true })("with MySQL gone", (it) => {
  it.effect("requests answer 503 quickly once MySQL is unreachable", () =>
    Effect.gen(function* () {
      const client = yield* clientFor(TOKENS.alpha);
      const proxy = yield* MysqlProxy;
      const experiment = yield* client.experiments.create({
        payload: {
          name: "Outage",
          variants: [
            { name: "control", traffic_allocation: 50 },
            { name: "treatment", traffic_allocation: 50 },
          ],
        },
      });

      yield* proxy.cut;
      const started = Date.now();
      const assignment = yield* Effect.flip(
        client.assignments.get({
          path: { experiment_id: experiment.id, user_id: "after-outage" },
        }),
      );
      const event = yield* Effect.flip(
        client.events.record({
          payload: { user_id: "u", type: "t", timestamp: new Date() },
        }),
      );
      const ready = yield* Effect.flip(client.system.ready());

      assert.strictEqual(assignment._tag, "ServiceUnavailable");
      assert.strictEqual(event._tag, "ServiceUnavailable");
      if (event._tag === "ServiceUnavailable") {
        assert.strictEqual(event.code, "service_unavailable");
        assert.match(event.detail, /^Query the database: /);
      }
      assert.strictEqual(ready._tag, "ServiceUnavailable");
      if (ready._tag === "ServiceUnavailable") {
        assert.match(ready.detail, /MySQL unreachable/);
      }
      assert.isBelow(Date.now() - started, 10_000);
    }),
  );
});

const startProcess = (port: number) => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      ...process.env,
      ...Object.fromEntries(testEnvironment({ PORT: String(port) })),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  return child;
};

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", resolve));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitUntilUp = async (url: string) => {
  for (let attempt = 0; attempt < 300; attempt++) {
    const up = await fetch(`${url}/health`, {
      signal: AbortSignal.timeout(2_000),
    }).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;
    await sleep(100);
  }
  throw new Error(`Start service: ${url} gave no answer in 30 s`);
};

/** Sends a POST whose body arrives in two parts, `pause` ms apart. */
const slowPost = (url: string, body: string, pause: () => Promise<void>) =>
  new Promise<number>((resolve, reject) => {
    const request = httpRequest(
      `${url}/events`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKENS.alpha}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("error", reject);
    const half = Math.floor(body.length / 2);
    request.write(body.slice(0, half));
    pause().then(() => request.end(body.slice(half)), reject);
  });

layer(Layer.empty, { excludeTestServices: true })("shutdown", (it) => {
  it.effect(
    "SIGTERM lets an in-flight request finish, then exits cleanly",
    () =>
      Effect.promise(async () => {
        const port = 20_000 + Math.floor(Math.random() * 20_000);
        const child = startProcess(port);
        const exited = exitOf(child);
        let output = "";
        child.stdout?.on("data", (chunk) => {
          output += String(chunk);
        });
        const url = `http://127.0.0.1:${port}`;
        await waitUntilUp(url);

        const status = await slowPost(
          url,
          JSON.stringify({
            user_id: "draining",
            type: "purchase",
            timestamp: "2026-10-27T10:32:00Z",
          }),
          async () => {
            await sleep(300);
            child.kill("SIGTERM");
            await sleep(300);
          },
        );
        const code = await exited;
        const refused = await fetch(`${url}/health`, {
          signal: AbortSignal.timeout(2_000),
        }).then(
          () => false,
          () => true,
        );

        assert.strictEqual(status, 201);
        assert.strictEqual(code, 0);
        assert.isTrue(refused);
        assert.notInclude(output, TOKENS.alpha);
      }),
    60_000,
  );
});
