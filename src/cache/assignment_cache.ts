/**
 * The read-through cache in front of MySQL for assignments and experiment
 * definitions. Redis serves when `REDIS_URL` is set, so that every
 * instance shares it; otherwise an in-process cache serves a single
 * instance. The cache is never the source of truth: when Redis is slow or
 * down, a lookup is a miss, a write is skipped, a warning is logged and the
 * request carries on against MySQL.
 *
 * @module
 */
import { Context, Duration, Effect, Layer, Option, Redacted } from "effect";
import { Redis } from "ioredis";
import { AppConfig } from "../config.ts";

/** A string cache with expiry. */
export interface Cache {
  /** The value under a key, or none on a miss or a cache failure. */
  readonly get: (key: string) => Effect.Effect<Option.Option<string>>;
  /** Stores a value for a time; failures are logged and ignored. */
  readonly set: (
    key: string,
    value: string,
    ttl: Duration.Duration,
  ) => Effect.Effect<void>;
  /** Drops a key; failures are logged and ignored. */
  readonly remove: (key: string) => Effect.Effect<void>;
  /** Whether the backing store answers; `disabled` without Redis. */
  readonly ping: Effect.Effect<"up" | "down" | "disabled">;
}

/** The cache service. */
export class AssignmentCache extends Context.Tag("AssignmentCache")<
  AssignmentCache,
  Cache
>() {
  /** Redis when configured, else the in-process cache. */
  static readonly layer: Layer.Layer<AssignmentCache, never, AppConfig> =
    Layer.unwrapScoped(
      Effect.map(AppConfig, ({ redisUrl, redisKeyPrefix }) =>
        Option.match(redisUrl, {
          onNone: () => memoryCacheLayer(100_000),
          onSome: (url) => redisCacheLayer(url, redisKeyPrefix),
        }),
      ),
    );
}

/**
 * An in-process cache bounded to a number of entries; the least recently
 * used entry goes first.
 *
 * @param capacity The most entries it holds.
 * @returns The cache layer.
 *
 * @example
 * ```ts
 * const layer = memoryCacheLayer(1_000);
 * ```
 */
export function memoryCacheLayer(
  capacity: number,
): Layer.Layer<AssignmentCache> {
  return Layer.sync(AssignmentCache, (): Cache => {
    const entries = new Map<string, { value: string; expires: number }>();

    return {
      get: (key) =>
        Effect.sync(() => {
          const entry = entries.get(key);
          if (entry === undefined) return Option.none();
          entries.delete(key);
          if (entry.expires <= Date.now()) return Option.none();
          entries.set(key, entry);
          return Option.some(entry.value);
        }),
      set: (key, value, ttl) =>
        Effect.sync(() => {
          entries.delete(key);
          entries.set(key, {
            value,
            expires: Date.now() + Duration.toMillis(ttl),
          });
          if (entries.size > capacity) {
            entries.delete(entries.keys().next().value as string);
          }
        }),
      remove: (key) => Effect.sync(() => void entries.delete(key)),
      ping: Effect.succeed("disabled"),
    };
  });
}

const COMMAND_TIMEOUT_MS = 250;

/**
 * A Redis-backed cache. Commands fail fast instead of queueing while the
 * connection is down, so a dead Redis costs a request at most one short
 * timeout.
 *
 * @param url The Redis URL, such as `redis://redis:6379/0`.
 * @param prefix Prepended to every key.
 * @returns The cache layer; it connects at start-up and disconnects at
 * shutdown.
 *
 * @example
 * ```ts
 * const layer = redisCacheLayer(Redacted.make("redis://127.0.0.1"), "app:");
 * ```
 */
export function redisCacheLayer(
  url: Redacted.Redacted<string>,
  prefix: string,
): Layer.Layer<AssignmentCache> {
  return Layer.scoped(
    AssignmentCache,
    Effect.gen(function* () {
      const redis = yield* Effect.acquireRelease(
        Effect.sync(
          () =>
            new Redis(Redacted.value(url), {
              lazyConnect: true,
              enableOfflineQueue: false,
              maxRetriesPerRequest: 1,
              commandTimeout: COMMAND_TIMEOUT_MS,
              connectTimeout: 2_000,
              retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
            }),
        ),
        (client) => Effect.sync(() => client.disconnect()),
      );
      redis.on("error", () => undefined);

      yield* Effect.tryPromise(() => redis.connect()).pipe(
        Effect.timeout(Duration.seconds(3)),
        Effect.catchAll(() =>
          Effect.logWarning(
            "Connect to Redis: unreachable at start-up; serving from MySQL " +
              "until it answers",
          ),
        ),
      );

      const attempt = <A>(
        action: string,
        run: () => Promise<A>,
      ): Effect.Effect<Option.Option<A>> =>
        Effect.tryPromise({ try: run, catch: (error) => error }).pipe(
          Effect.timeout(Duration.millis(COMMAND_TIMEOUT_MS * 2)),
          Effect.map(Option.some),
          Effect.catchAll((error) =>
            Effect.logWarning(`${action} in Redis: failed`).pipe(
              Effect.annotateLogs(
                "error",
                error instanceof Error ? error.message : String(error),
              ),
              Effect.as(Option.none()),
            ),
          ),
        );

      const cache: Cache = {
        get: (key) =>
          attempt("Read cache", () => redis.get(prefix + key)).pipe(
            Effect.map(Option.flatMap(Option.fromNullable)),
          ),
        set: (key, value, ttl) =>
          Effect.asVoid(
            attempt("Write cache", () =>
              redis.set(prefix + key, value, "PX", Duration.toMillis(ttl)),
            ),
          ),
        remove: (key) =>
          Effect.asVoid(
            attempt("Drop cache key", () => redis.del(prefix + key)),
          ),
        ping: attempt("Ping", () => redis.ping()).pipe(
          Effect.map((answer) => (Option.isSome(answer) ? "up" : "down")),
        ),
      };
      return cache;
    }),
  );
}
