/**
 * The service under test as a child process (`node --import tsx
 * src/main.ts`), so that the load generator does not share its event loop.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository's root, where `src/main.ts` and `node_modules` are. */
export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A running service. */
export interface ServiceProcess {
  /** Such as `http://127.0.0.1:40123`. */
  readonly baseUrl: string;
  /** The child's process id. */
  readonly pid: number | undefined;
  /** Stops the child: SIGTERM, then SIGKILL after a grace period. */
  readonly stop: () => Promise<void>;
}

/**
 * Finds a TCP port that is free on 127.0.0.1 right now.
 *
 * @returns The port number.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") {
    throw new Error("Find a free port: the socket has no TCP address");
  }
  return address.port;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const exited = once(child, "exit").then(() => true);
  try {
    return await Promise.race([exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the service with the given environment and waits until
 * `GET /ready` answers 200.
 *
 * @param env Variables on top of the current environment (DATABASE_URL,
 * REDIS_URL, tokens, ...); `HOST` and `PORT` are set here.
 * @param output Receives each line the child prints.
 * @returns The running service.
 */
export async function startService(
  env: Readonly<Record<string, string>>,
  output: (line: string) => void,
): Promise<ServiceProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) output(line);
    });
  }

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    if (await waitForExit(child, 10_000)) return;
    child.kill("SIGKILL");
    await waitForExit(child, 5_000);
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const status = child.exitCode ?? child.signalCode;
      throw new Error(`Start the service: it exited with ${status}`);
    }
    try {
      const response = await fetch(`${baseUrl}/ready`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.arrayBuffer();
      if (response.ok) return { baseUrl, pid: child.pid, stop };
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  await stop();
  throw new Error("Start the service: /ready did not answer 200 in 60 s");
}
