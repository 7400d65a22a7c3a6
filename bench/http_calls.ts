/**
 * Plain `fetch` calls to the service, kept thin so the load generator
 * costs as little as possible next to the server it measures.
 *
 * @module
 */

/** An answer: its status and its JSON body (or text when not JSON). */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** Calls the service as one tenant. */
export interface Caller {
  readonly get: (path: string) => Promise<Answer>;
  readonly post: (path: string, body: unknown) => Promise<Answer>;
}

async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/**
 * A caller with a base URL and a bearer token.
 *
 * @param baseUrl Such as `http://127.0.0.1:40123`.
 * @param token The tenant's bearer token.
 * @returns The caller; each request times out after 30 s.
 */
export function caller(baseUrl: string, token: string): Caller {
  const headers = { authorization: `Bearer ${token}` };
  return {
    get: async (path) =>
      read(
        await fetch(baseUrl + path, {
          headers,
          signal: AbortSignal.timeout(30_000),
        }),
      ),
    post: async (path, body) =>
      read(
        await fetch(baseUrl + path, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        }),
      ),
  };
}

/**
 * Fails unless the answer is a 200.
 *
 * @param what What the call was for, for the message.
 * @param answer The answer.
 * @returns The answer's body.
 */
export function expectOk(what: string, answer: Answer): unknown {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  throw new Error(
    `${what}: expected 2xx, got ${answer.status} ` +
      JSON.stringify(answer.body).slice(0, 500),
  );
}

/**
 * Whether an answer is the API's 404 for a route it does not have.
 *
 * @param answer The answer.
 * @returns `true` for a `not_found` that names no route.
 */
export function isMissingRoute(answer: Answer): boolean {
  const body = answer.body as { code?: unknown; detail?: unknown } | null;
  return (
    answer.status === 404 &&
    typeof body === "object" &&
    body !== null &&
    body.code === "not_found" &&
    typeof body.detail === "string" &&
    body.detail.startsWith("Route request")
  );
}
