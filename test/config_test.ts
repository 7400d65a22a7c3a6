import { assert, describe, it } from "@effect/vitest";
import {
  ConfigProvider,
  Effect,
  Either,
  LogLevel,
  Option,
  Redacted,
} from "effect";
import { loadSettings, parseDatabaseUrl, parseTokens } from "../src/config.ts";
import { parseEnvFile } from "../src/env_file.ts";

const load = (variables: Record<string, string>) =>
  loadSettings.pipe(
    Effect.withConfigProvider(
      ConfigProvider.fromMap(new Map(Object.entries(variables))),
    ),
    Effect.either,
  );

const oldEnv = {
  MYSQL_ROOT_PASSWORD: "root",
  MYSQL_DATABASE: "experiments_db",
  MYSQL_USER: "app_user",
  MYSQL_PASSWORD: "secret",
  MYSQL_HOST: "mysql",
  MYSQL_PORT: "3306",
  DATABASE_URL: "mysql+pymysql://app_user:s%40cret@mysql:3306/experiments_db",
  VALID_TOKENS: "test-token-123,demo-token-456",
  TOKEN_CLIENT_ID_MAP: "test-token-123:1,demo-token-456:2",
};

describe("loadSettings", () => {
  it.effect("loadSettings reads the old service's .env keys", () =>
    Effect.gen(function* () {
      const settings = Either.getOrThrow(yield* load(oldEnv));

      assert.strictEqual(settings.port, 5000);
      assert.strictEqual(settings.host, "0.0.0.0");
      assert.strictEqual(settings.database.host, "mysql");
      assert.strictEqual(settings.database.user, "app_user");
      assert.strictEqual(Redacted.value(settings.database.password), "s@cret");
      assert.strictEqual(settings.database.database, "experiments_db");
      assert.deepStrictEqual(
        [...Redacted.value(settings.tokens)],
        [
          ["test-token-123", "1"],
          ["demo-token-456", "2"],
        ],
      );
      assert.isTrue(Option.isNone(settings.redisUrl));
      assert.strictEqual(settings.maxBodyBytes, 1024 * 1024);
      assert.strictEqual(settings.logLevel, LogLevel.Info);
    }),
  );

  it.effect("loadSettings builds the database from MYSQL_* without a URL", () =>
    Effect.gen(function* () {
      const { DATABASE_URL: _, ...pieces } = oldEnv;

      const settings = Either.getOrThrow(yield* load(pieces));

      assert.deepStrictEqual(
        { ...settings.database, password: "" },
        {
          host: "mysql",
          port: 3306,
          user: "app_user",
          password: "",
          database: "experiments_db",
        },
      );
      assert.strictEqual(Redacted.value(settings.database.password), "secret");
    }),
  );

  it.effect("loadSettings reads the new keys", () =>
    Effect.gen(function* () {
      const settings = Either.getOrThrow(
        yield* load({
          ...oldEnv,
          PORT: "8080",
          HOST: "127.0.0.1",
          REDIS_URL: "redis://cache:6379/1",
          LOG_LEVEL: "WARNING",
          NODE_ENV: "production",
        }),
      );

      assert.strictEqual(settings.port, 8080);
      assert.strictEqual(settings.host, "127.0.0.1");
      assert.strictEqual(
        Redacted.value(Option.getOrThrow(settings.redisUrl)),
        "redis://cache:6379/1",
      );
      assert.strictEqual(settings.logLevel, LogLevel.Warning);
      assert.isTrue(settings.jsonLogs);
    }),
  );

  const refusals: ReadonlyArray<
    readonly [string, Record<string, string>, RegExp]
  > = [
    [
      "a non-numeric port",
      { PORT: "five" },
      /PORT.*Expected a port number, got "five"/s,
    ],
    ["a port out of range", { PORT: "70000" }, /PORT/],
    [
      "a malformed map entry",
      { TOKEN_CLIENT_ID_MAP: "test-token-123:1,broken" },
      /TOKEN_CLIENT_ID_MAP.*entry 2 as token:client_id/s,
    ],
    [
      "a valid token without a client id",
      { VALID_TOKENS: "test-token-123,orphan" },
      /VALID_TOKENS.*Token 2 has no client id/s,
    ],
    [
      "a database URL of another scheme",
      { DATABASE_URL: "postgres://u@h/db" },
      /DATABASE_URL.*mysql:\/\/ scheme/s,
    ],
    [
      "a bad log level",
      { LOG_LEVEL: "loud" },
      /LOG_LEVEL.*Expected one of all, trace.*got "loud"/s,
    ],
  ];

  for (const [what, change, message] of refusals) {
    it.effect(`loadSettings refuses ${what}, naming the key`, () =>
      Effect.gen(function* () {
        const result = yield* load({ ...oldEnv, ...change });

        assert.isTrue(Either.isLeft(result));
        if (Either.isLeft(result)) {
          assert.match(String(result.left), message);
        }
      }),
    );
  }

  it.effect("loadSettings never writes a token into its error", () =>
    Effect.gen(function* () {
      const result = yield* load({
        ...oldEnv,
        TOKEN_CLIENT_ID_MAP: "super-secret-token:",
      });

      assert.isTrue(Either.isLeft(result));
      if (Either.isLeft(result)) {
        assert.notInclude(String(result.left), "super-secret-token");
      }
    }),
  );
});

describe("parseTokens()", () => {
  it("parseTokens() accepts every mapped token without VALID_TOKENS", () => {
    const tokens = Either.getOrThrow(parseTokens("a:1, b:2", Option.none()));

    assert.deepStrictEqual(
      [...tokens],
      [
        ["a", "1"],
        ["b", "2"],
      ],
    );
  });

  it("parseTokens() keeps only the tokens VALID_TOKENS lists", () => {
    const tokens = Either.getOrThrow(parseTokens("a:1,b:2", Option.some("b")));

    assert.deepStrictEqual([...tokens], [["b", "2"]]);
  });

  it("parseTokens() refuses a client id with spaces", () => {
    assert.isTrue(Either.isLeft(parseTokens("a:one two", Option.none())));
  });
});

describe("parseDatabaseUrl()", () => {
  it("parseDatabaseUrl() reads both schemes and defaults the port", () => {
    const plain = Either.getOrThrow(parseDatabaseUrl("mysql://u:p@db/app"));
    const old = Either.getOrThrow(
      parseDatabaseUrl("mysql+pymysql://u:p@db:3307/app"),
    );

    assert.strictEqual(plain.port, 3306);
    assert.strictEqual(plain.database, "app");
    assert.strictEqual(old.port, 3307);
    assert.strictEqual(old.host, "db");
  });

  it("parseDatabaseUrl() refuses a URL without a database", () => {
    assert.isTrue(Either.isLeft(parseDatabaseUrl("mysql://u:p@db/")));
    assert.isTrue(Either.isLeft(parseDatabaseUrl("not a url")));
  });
});

describe("parseEnvFile()", () => {
  it("parseEnvFile() reads values, quotes, comments and export", () => {
    const variables = parseEnvFile(
      [
        "# MySQL",
        "MYSQL_HOST=mysql",
        "export PORT=5000",
        "NAME='a b # not a comment'",
        'GREETING="hi\\nthere"',
        "TRAILING=value # comment",
        "EMPTY=",
        "not a line",
      ].join("\n"),
    );

    assert.deepStrictEqual(Object.fromEntries(variables), {
      MYSQL_HOST: "mysql",
      PORT: "5000",
      NAME: "a b # not a comment",
      GREETING: "hi\nthere",
      TRAILING: "value",
      EMPTY: "",
    });
  });
});
