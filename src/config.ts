/**
 * The service's configuration, read once at start-up from the environment
 * (and a `.env` file). It accepts the keys of the Python service it
 * replaces, so existing `.env` files keep working.
 *
 * @module
 */
import {
  Config,
  ConfigError,
  ConfigProvider,
  Context,
  Effect,
  Either,
  Layer,
  LogLevel,
  Option,
  Redacted,
} from "effect";
import { loadEnvironment } from "./env_file.ts";

/** Where the MySQL server is and how to log in. */
export interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: Redacted.Redacted<string>;
  readonly database: string;
}

/** Everything the service reads from its environment. */
export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly database: DatabaseSettings;
  readonly redisUrl: Option.Option<Redacted.Redacted<string>>;
  readonly redisKeyPrefix: string;
  /** Bearer token to client id. */
  readonly tokens: Redacted.Redacted<ReadonlyMap<string, string>>;
  readonly logLevel: LogLevel.LogLevel;
  readonly jsonLogs: boolean;
  readonly maxBodyBytes: number;
  readonly httpTracing: boolean;
}

const invalid = (key: string, message: string) =>
  ConfigError.InvalidData([key], message);

const port = (key: string, fallback: number) =>
  Config.string(key).pipe(
    Config.withDefault(String(fallback)),
    Config.mapOrFail((raw) => {
      const value = Number(raw);
      return Number.isInteger(value) && value >= 0 && value < 65_536
        ? Either.right(value)
        : Either.left(invalid(key, `Expected a port number, got "${raw}"`));
    }),
  );

const positiveInteger = (key: string, fallback: number) =>
  Config.string(key).pipe(
    Config.withDefault(String(fallback)),
    Config.mapOrFail((raw) => {
      const value = Number(raw);
      return Number.isSafeInteger(value) && value > 0
        ? Either.right(value)
        : Either.left(
            invalid(key, `Expected a positive integer, got "${raw}"`),
          );
    }),
  );

/**
 * Splits a `DATABASE_URL` such as `mysql://user:pass@host:3306/db` (the
 * Python service's `mysql+pymysql://` form too) into its parts.
 *
 * @param raw The URL.
 * @returns The settings, or the reason the URL is unusable.
 *
 * @example
 * ```ts
 * parseDatabaseUrl("mysql+pymysql://app:secret@mysql:3306/experiments_db");
 * ```
 */
export function parseDatabaseUrl(
  raw: string,
): Either.Either<DatabaseSettings, string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return Either.left("Expected a URL such as mysql://user:pass@host/db");
  }

  if (!/^mysql(\+\w+)?:$/.test(url.protocol)) {
    return Either.left(`Expected the mysql:// scheme, got "${url.protocol}"`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "") {
    return Either.left("Expected a database name in the URL path");
  }

  return Either.right({
    host: url.hostname,
    port: url.port === "" ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username),
    password: Redacted.make(decodeURIComponent(url.password)),
    database,
  });
}

const databaseUrl = Config.redacted("DATABASE_URL").pipe(
  Config.mapOrFail((url) =>
    Either.mapLeft(parseDatabaseUrl(Redacted.value(url)), (message) =>
      invalid("DATABASE_URL", message),
    ),
  ),
);

const databasePieces = Config.all({
  host: Config.string("MYSQL_HOST").pipe(Config.withDefault("127.0.0.1")),
  port: port("MYSQL_PORT", 3306),
  user: Config.string("MYSQL_USER").pipe(Config.withDefault("root")),
  password: Config.redacted("MYSQL_PASSWORD").pipe(
    Config.withDefault(Redacted.make("")),
  ),
  database: Config.string("MYSQL_DATABASE").pipe(
    Config.withDefault("experiments_db"),
  ),
});

const database = Effect.flatMap(
  Config.option(Config.string("DATABASE_URL")),
  (url): Effect.Effect<DatabaseSettings, ConfigError.ConfigError> =>
    Option.isSome(url) && url.value.trim() !== ""
      ? databaseUrl
      : databasePieces,
);

/**
 * Reads `TOKEN_CLIENT_ID_MAP` (`token:client_id,...`) and checks it against
 * `VALID_TOKENS`. Messages never quote a token.
 *
 * @param mapText The map's text.
 * @param validText The `VALID_TOKENS` text, if set.
 * @returns Token to client id, or the reason the configuration is bad.
 *
 * @example
 * ```ts
 * parseTokens("test-token-123:1,demo-token-456:2", Option.none());
 * ```
 */
export function parseTokens(
  mapText: string,
  validText: Option.Option<string>,
): Either.Either<ReadonlyMap<string, string>, ConfigError.ConfigError> {
  const tokens = new Map<string, string>();
  const entries = splitList(mapText);

  for (const [index, entry] of entries.entries()) {
    const separator = entry.lastIndexOf(":");
    const token = entry.slice(0, separator).trim();
    const clientId = entry.slice(separator + 1).trim();
    if (separator === -1 || token === "" || clientId === "") {
      return Either.left(
        invalid(
          "TOKEN_CLIENT_ID_MAP",
          `Expected entry ${index + 1} as token:client_id`,
        ),
      );
    }
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(clientId)) {
      return Either.left(
        invalid(
          "TOKEN_CLIENT_ID_MAP",
          `Expected a client id of at most 64 letters, digits, "_", "." ` +
            `or "-" in entry ${index + 1}, got "${clientId}"`,
        ),
      );
    }
    tokens.set(token, clientId);
  }

  if (Option.isNone(validText)) return Either.right(tokens);

  const valid = splitList(validText.value);
  const unmapped = valid.findIndex((token) => !tokens.has(token));
  if (unmapped !== -1) {
    return Either.left(
      invalid(
        "VALID_TOKENS",
        `Token ${unmapped + 1} has no client id in TOKEN_CLIENT_ID_MAP`,
      ),
    );
  }

  const accepted = new Set(valid);
  return Either.right(
    new Map([...tokens].filter(([token]) => accepted.has(token))),
  );
}

function splitList(text: string): ReadonlyArray<string> {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

const tokens = Config.all({
  map: Config.string("TOKEN_CLIENT_ID_MAP").pipe(Config.withDefault("")),
  valid: Config.option(Config.string("VALID_TOKENS")),
}).pipe(
  Config.mapOrFail(({ map, valid }) =>
    Either.map(parseTokens(map, valid), Redacted.make),
  ),
);

const LOG_LEVELS: Readonly<Record<string, LogLevel.LogLevel>> = {
  all: LogLevel.All,
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  critical: LogLevel.Fatal,
  none: LogLevel.None,
};

const logLevel = Config.string("LOG_LEVEL").pipe(
  Config.withDefault("info"),
  Config.mapOrFail((raw) => {
    const level = LOG_LEVELS[raw.trim().toLowerCase()];
    return level === undefined
      ? Either.left(
          invalid(
            "LOG_LEVEL",
            `Expected one of ${Object.keys(LOG_LEVELS).join(", ")}, ` +
              `got "${raw}"`,
          ),
        )
      : Either.right(level);
  }),
);

const redisUrl = Config.option(Config.redacted("REDIS_URL")).pipe(
  Config.map(Option.filter((url) => Redacted.value(url).trim() !== "")),
);

/** Reads the full set of settings from the current `ConfigProvider`. */
export const loadSettings: Effect.Effect<Settings, ConfigError.ConfigError> =
  Effect.all({
    host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0")),
    port: port("PORT", 5000),
    database,
    redisUrl,
    redisKeyPrefix: Config.string("REDIS_KEY_PREFIX").pipe(
      Config.withDefault("expsvc:"),
    ),
    tokens,
    logLevel,
    jsonLogs: Config.string("NODE_ENV").pipe(
      Config.withDefault("development"),
      Config.map((env) => env === "production"),
    ),
    maxBodyBytes: positiveInteger("MAX_BODY_BYTES", 1024 * 1024),
    httpTracing: Config.boolean("HTTP_TRACING").pipe(Config.withDefault(false)),
  });

/** The settings, read once when the layer is built. */
export class AppConfig extends Context.Tag("AppConfig")<AppConfig, Settings>() {
  /** Reads the settings from the current `ConfigProvider`. */
  static readonly layer: Layer.Layer<AppConfig, ConfigError.ConfigError> =
    Layer.effect(AppConfig, loadSettings);
}

/**
 * A `ConfigProvider` over the process environment and the `.env` file in
 * the working directory; real environment variables win.
 *
 * @param path The `.env` file's path.
 * @returns A layer that installs the provider.
 *
 * @example
 * ```ts
 * const layer = AppConfig.layer.pipe(Layer.provide(environmentProvider()));
 * ```
 */
export function environmentProvider(path = ".env"): Layer.Layer<never> {
  return Layer.unwrapEffect(
    Effect.sync(() =>
      Layer.setConfigProvider(
        ConfigProvider.fromMap(loadEnvironment(path, process.env)),
      ),
    ),
  );
}
