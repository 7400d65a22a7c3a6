import { HttpClientRequest } from "@effect/platform";
import { SqlClient } from "@effect/sql";
import { assert, layer } from "@effect/vitest";
import { Effect, Fiber } from "effect";
import type { Assignment } from "../../src/api/assignments.ts";
import type { ExperimentsClient } from "../../src/client/mod.ts";
import { uuidV7 } from "../../src/uuid_v7.ts";
import {
  baseUrl,
  clientFor,
  rawClient,
  TOKENS,
  testServer,
} from "../support/harness.ts";

const createExperiment = (client: ExperimentsClient) =>
  client.experiments.create({
    payload: {
      name: "Listing",
      variants: [
        { name: "control", traffic_allocation: 50 },
        { name: "treatment", traffic_allocation: 50 },
      ],
    },
  });

const assignUsers = (
  client: ExperimentsClient,
  experimentId: string,
  prefix: string,
  count: number,
  concurrency = 4,
) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => `${prefix}-${i}`),
    (user_id) =>
      client.assignments.get({
        path: { experiment_id: experimentId, user_id },
      }),
    { concurrency },
  );

const byId = (a: Assignment, b: Assignment) =>
  (a.id ?? "") < (b.id ?? "") ? -1 : (a.id ?? "") > (b.id ?? "") ? 1 : 0;

/** Listing order: assignment time, then id. */
const byListingOrder = (a: Assignment, b: Assignment) =>
  a.created_at.getTime() - b.created_at.getTime() || byId(a, b);

const isInListingOrder = (items: ReadonlyArray<Assignment>) =>
  items.every(
    (item, i) =>
      i === 0 || byListingOrder(items[i - 1] as Assignment, item) < 0,
  );

/** Follows next_cursor from the first page to the last. */
const pageAll = (
  client: ExperimentsClient,
  experimentId: string,
  limit: number,
) =>
  Effect.gen(function* () {
    const pages: Array<ReadonlyArray<Assignment>> = [];
    let cursor: string | null = null;

    do {
      const page: {
        readonly items: ReadonlyArray<Assignment>;
        readonly next_cursor: string | null;
      } = yield* client.assignmentListing.list({
        path: { experiment_id: experimentId },
        urlParams: cursor === null ? { limit } : { limit, cursor },
      });
      pages.push(page.items);
      cursor = page.next_cursor;
    } while (cursor !== null && pages.length < 10_000);

    return { pages, items: pages.flat() };
  });

const get = (path: string, token: string = TOKENS.alpha) =>
  Effect.gen(function* () {
    const http = yield* rawClient;
    const response = yield* http.execute(
      HttpClientRequest.get(path).pipe(HttpClientRequest.bearerToken(token)),
    );
    const text = yield* response.text;
    return { status: response.status, headers: response.headers, text };
  });

const ndjsonLines = (text: string) => {
  assert.isTrue(text === "" || text.endsWith("\n"), "ends with a newline");
  return text === "" ? [] : text.slice(0, -1).split("\n");
};

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/**
 * Stores `count` assignments of an experiment with SQL, many sharing one
 * assignment time (to the microsecond) so that chunks end inside ties.
 */
const insertAssignments = (experimentId: string, count: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const [experiment] = yield* sql<{
      readonly id: number;
      readonly client_id: string;
    }>`SELECT id, client_id FROM experiments WHERE public_id = ${experimentId}`;
    const variants = yield* sql<{ readonly id: number }>`
      SELECT id FROM variants WHERE experiment_id = ${experiment?.id ?? 0}
      ORDER BY position`;
    const ids: Array<string> = [];

    for (let start = 0; start < count; start += 2_000) {
      const rows = Array.from(
        { length: Math.min(2_000, count - start) },
        (_, offset) => {
          const i = start + offset;
          const minute = String(Math.floor(i / 1_500)).padStart(2, "0");
          const at = `2026-01-01 00:${minute}:00.123456`;
          const publicId = uuidV7();
          ids.push(publicId);
          return {
            public_id: publicId,
            client_id: experiment?.client_id ?? "",
            experiment_id: experiment?.id ?? 0,
            variant_id: variants[i % variants.length]?.id ?? 0,
            user_id: `bulk-${i}`,
            created_at: at,
            updated_at: at,
          };
        },
      );
      yield* sql`INSERT INTO assignments ${sql.insert(rows)}`;
    }

    return ids;
  });

layer(testServer(), { excludeTestServices: true })(
  "GET /experiments/{id}/assignments",
  (it) => {
    it.effect("list() pages through every assignment once, in order", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);
        const other = yield* createExperiment(client);
        const assigned = yield* assignUsers(client, experiment.id, "u", 10);
        yield* assignUsers(client, other.id, "u", 4);

        const { pages, items } = yield* pageAll(client, experiment.id, 3);

        assert.deepStrictEqual(
          pages.map((page) => page.length),
          [3, 3, 3, 1],
        );
        assert.deepStrictEqual(
          items.map((item) => item.id),
          [...assigned].sort(byListingOrder).map((item) => item.id),
        );
        assert.deepStrictEqual([...items].sort(byId), [...assigned].sort(byId));
        assert.isTrue(items.every((item) => item.enrolled && item.id !== null));
        assert.isTrue(isInListingOrder(items));
      }),
    );

    it.effect("list() ends without an empty page on an exact multiple", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);
        yield* assignUsers(client, experiment.id, "even", 6);

        const { pages } = yield* pageAll(client, experiment.id, 3);
        const first = yield* client.assignmentListing.list({
          path: { experiment_id: experiment.id },
          urlParams: {},
        });

        assert.deepStrictEqual(
          pages.map((page) => page.length),
          [3, 3],
        );
        assert.strictEqual(first.items.length, 6);
        assert.isNull(first.next_cursor);
      }),
    );

    it.effect("list() answers 20 items by default and an empty page", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);
        const empty = yield* client.assignmentListing.list({
          path: { experiment_id: experiment.id },
          urlParams: {},
        });
        yield* assignUsers(client, experiment.id, "many", 21);

        const first = yield* client.assignmentListing.list({
          path: { experiment_id: experiment.id },
          urlParams: {},
        });

        assert.deepStrictEqual(empty, { items: [], next_cursor: null });
        assert.strictEqual(first.items.length, 20);
        assert.isString(first.next_cursor);
        assert.match(first.next_cursor ?? "", /^[A-Za-z0-9_-]+$/);
      }),
    );

    it.effect(
      "list() yields every earlier assignment once while users are assigned",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment(client);
          const earlier = yield* assignUsers(
            client,
            experiment.id,
            "early",
            30,
          );

          const writer = yield* Effect.fork(
            assignUsers(client, experiment.id, "late", 60, 3),
          );
          const { items } = yield* pageAll(client, experiment.id, 3);
          const pagingEnded = Date.now();
          const late = yield* Fiber.join(writer);

          const seen = items.map((item) => item.id);
          assert.strictEqual(new Set(seen).size, seen.length);
          for (const assignment of earlier) {
            assert.strictEqual(
              seen.filter((id) => id === assignment.id).length,
              1,
              `earlier assignment ${assignment.user_id} listed once`,
            );
          }
          const known = new Set([...earlier, ...late].map((a) => a.id));
          assert.isTrue(seen.every((id) => known.has(id)));
          assert.isTrue(isInListingOrder(items));
          assert.isTrue(
            late.some((a) => a.created_at.getTime() < pagingEnded),
            "some users were assigned while paging",
          );
        }),
    );

    it.effect("list() answers 400 for a bad limit", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);
        const path = `/experiments/${experiment.id}/assignments`;

        for (const limit of ["0", "101", "x", "2.5", ""]) {
          const response = yield* get(`${path}?limit=${limit}`);
          const json = JSON.parse(response.text) as {
            readonly detail: string;
            readonly code: string;
          };
          assert.strictEqual(response.status, 400, `limit=${limit}`);
          assert.strictEqual(json.code, "invalid_request");
          assert.strictEqual(
            json.detail,
            "Validate request: limit: Expected an integer from 1 to 100, " +
              `got "${limit}"`,
          );
        }
      }),
    );

    it.effect("list() answers 400 for a malformed cursor", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);
        const path = `/experiments/${experiment.id}/assignments`;
        const encoded = (text: string) =>
          Buffer.from(text).toString("base64url");
        const cursors = [
          "not a cursor!",
          encoded("hello"),
          encoded(
            "2026-02-30 10:00:00.000000,0193a5c3-0a1b-7c2d-9e3f-405162738495",
          ),
          encoded("2026-01-01 10:00:00.000000,'; DROP TABLE assignments"),
        ];

        for (const cursor of cursors) {
          const response = yield* get(
            `${path}?cursor=${encodeURIComponent(cursor)}`,
          );
          const json = JSON.parse(response.text) as {
            readonly detail: string;
          };
          assert.strictEqual(response.status, 400, cursor);
          assert.strictEqual(
            json.detail,
            "Validate request: cursor: Expected the next_cursor of an " +
              `earlier page, got "${cursor}"`,
          );
        }
      }),
    );

    it.effect(
      "list() pages through ties in assignment time to the microsecond",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment(client);
          const ids = yield* insertAssignments(experiment.id, 250);

          const { pages, items } = yield* pageAll(client, experiment.id, 100);

          assert.deepStrictEqual(
            pages.map((page) => page.length),
            [100, 100, 50],
          );
          assert.deepStrictEqual(
            items.map((item) => item.id),
            [...ids].sort(),
          );
        }),
    );

    it.effect("list() answers with and without a trailing slash", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);
        yield* assignUsers(client, experiment.id, "slash", 2);
        const path = `/experiments/${experiment.id}/assignments`;

        const plain = yield* get(path);
        const slashed = yield* get(`${path}/`);
        const exported = yield* get(`${path}/export/`);

        assert.strictEqual(plain.status, 200);
        assert.strictEqual(slashed.status, 200);
        assert.strictEqual(slashed.text, plain.text);
        assert.strictEqual(exported.status, 200);
        assert.strictEqual(ndjsonLines(exported.text).length, 2);
      }),
    );

    it.effect(
      "list() and export() answer 404 for another tenant's experiment",
      () =>
        Effect.gen(function* () {
          const alpha = yield* clientFor(TOKENS.alpha);
          const beta = yield* clientFor(TOKENS.beta);
          const experiment = yield* createExperiment(alpha);
          yield* assignUsers(alpha, experiment.id, "private", 3);
          const path = { experiment_id: experiment.id };

          const listed = yield* Effect.flip(
            beta.assignmentListing.list({ path, urlParams: {} }),
          );
          const exported = yield* Effect.flip(
            beta.assignmentListing.export({ path }),
          );
          const raw = yield* get(
            `/experiments/${experiment.id}/assignments/export`,
            TOKENS.beta,
          );
          const unknown = yield* get(
            "/experiments/01a23c5d-c55e-71d0-a9ee-92926bc7cf0a/assignments",
          );

          assert.strictEqual(listed._tag, "NotFound");
          assert.strictEqual(exported._tag, "NotFound");
          assert.strictEqual(raw.status, 404);
          assert.match(
            (JSON.parse(raw.text) as { detail: string }).detail,
            new RegExp(`no experiment "${experiment.id}"`),
          );
          assert.strictEqual(unknown.status, 404);
          assert.notInclude(raw.text, "private-");
        }),
    );

    it.effect("list() and export() answer 401 without a token", () =>
      Effect.gen(function* () {
        const http = yield* rawClient;
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);

        for (const suffix of ["", "/export"]) {
          const response = yield* http.execute(
            HttpClientRequest.get(
              `/experiments/${experiment.id}/assignments${suffix}`,
            ),
          );
          assert.strictEqual(response.status, 401);
        }
      }),
    );
  },
);

layer(testServer(), { excludeTestServices: true })(
  "GET /experiments/{id}/assignments/export",
  (it) => {
    it.effect(
      "export() answers NDJSON with exactly the listed assignments",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment(client);
          const other = yield* createExperiment(client);
          yield* assignUsers(client, experiment.id, "nd", 9);
          yield* assignUsers(client, other.id, "nd", 5);

          const response = yield* get(
            `/experiments/${experiment.id}/assignments/export`,
          );
          const typed = yield* client.assignmentListing.export({
            path: { experiment_id: experiment.id },
          });
          const { items } = yield* pageAll(client, experiment.id, 4);
          const lines = ndjsonLines(response.text);

          assert.strictEqual(response.status, 200);
          assert.match(
            response.headers["content-type"] ?? "",
            /^application\/x-ndjson/,
          );
          assert.strictEqual(
            response.headers["content-disposition"],
            `attachment; filename="assignments-${experiment.id}.ndjson"`,
          );
          assert.strictEqual(lines.length, 9);
          assert.deepStrictEqual(
            lines.map((line) => JSON.parse(line)),
            items.map(asJson),
          );
          assert.strictEqual(typed, response.text);
        }),
    );

    it.effect("export() of an experiment without assignments is empty", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client);

        const response = yield* get(
          `/experiments/${experiment.id}/assignments/export`,
        );

        assert.strictEqual(response.status, 200);
        assert.match(
          response.headers["content-type"] ?? "",
          /^application\/x-ndjson/,
        );
        assert.strictEqual(response.text, "");
      }),
    );

    it.effect(
      "export() streams more than one chunk with every row once",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment(client);
          const ids = yield* insertAssignments(experiment.id, 12_000);

          const response = yield* get(
            `/experiments/${experiment.id}/assignments/export`,
          );
          const items = ndjsonLines(response.text).map(
            (line) =>
              JSON.parse(line) as {
                readonly id: string;
                readonly experiment_id: string;
                readonly created_at: string;
              },
          );
          const exported = items.map((item) => item.id);

          assert.strictEqual(response.status, 200);
          assert.strictEqual(items.length, 12_000);
          assert.strictEqual(new Set(exported).size, 12_000);
          assert.deepStrictEqual([...exported].sort(), [...ids].sort());
          assert.isTrue(
            items.every((item) => item.experiment_id === experiment.id),
          );
          assert.isTrue(
            items.every(
              (item, i) =>
                i === 0 ||
                (items[i - 1]?.created_at ?? "") < item.created_at ||
                ((items[i - 1]?.created_at ?? "") === item.created_at &&
                  (items[i - 1]?.id ?? "") < item.id),
            ),
          );
        }),
      60_000,
    );

    it.effect(
      "export() keeps serving after a client leaves mid-stream",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment(client);
          yield* insertAssignments(experiment.id, 12_000);
          const url = `${yield* baseUrl}/experiments/${experiment.id}/assignments/export`;

          const firstBytes = yield* Effect.promise(async () => {
            const abort = new AbortController();
            const response = await fetch(url, {
              headers: { authorization: `Bearer ${TOKENS.alpha}` },
              signal: abort.signal,
            });
            const reader = response.body?.getReader();
            const first = await reader?.read();
            abort.abort();
            await reader?.cancel().catch(() => undefined);
            return first?.value?.length ?? 0;
          });
          const again = yield* get(
            `/experiments/${experiment.id}/assignments/export`,
          );
          const ready = yield* client.system.health();

          assert.isAbove(firstBytes, 0);
          assert.strictEqual(again.status, 200);
          assert.strictEqual(ndjsonLines(again.text).length, 12_000);
          assert.strictEqual(ready.status, "ok");
        }),
      60_000,
    );
  },
);
