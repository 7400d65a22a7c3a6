/**
 * The bearer-token check behind the `Authentication` middleware.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HttpApp, HttpServerResponse } from "@effect/platform";
import { Effect, Layer, Option, Redacted } from "effect";
import { Authentication } from "../api/auth.ts";
import { Unauthorized } from "../api/errors.ts";
import { AppConfig } from "../config.ts";

const digest = (token: string) => createHash("sha256").update(token).digest();

/**
 * Finds the client of a token. Every known token is compared, in constant
 * time over equal-length digests, so timing reveals neither a token nor
 * how many characters of one matched.
 *
 * @param known Token digests and their clients.
 * @param token The presented token.
 * @returns The client id, if the token is known.
 *
 * @example
 * ```ts
 * clientOf([{ digest: digest("t"), clientId: "1" }], "t"); // Some("1")
 * ```
 */
export function clientOf(
  known: ReadonlyArray<{ readonly digest: Buffer; readonly clientId: string }>,
  token: string,
): Option.Option<string> {
  const presented = digest(token);
  let match: string | undefined;

  for (const entry of known) {
    if (timingSafeEqual(entry.digest, presented)) match = entry.clientId;
  }

  return Option.fromNullable(match);
}

const challenge = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(
    HttpServerResponse.setHeader(
      response,
      "WWW-Authenticate",
      'Bearer realm="experiments"',
    ),
  ),
);

const refuse = (detail: string) =>
  Effect.zipRight(challenge, Effect.fail(new Unauthorized({ detail })));

/** The `Authentication` middleware, over the configured tokens. */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(AppConfig, ({ tokens }) => {
    const known = [...Redacted.value(tokens)].map(([token, clientId]) => ({
      digest: digest(token),
      clientId,
    }));

    return {
      bearer: (token) => {
        const value = Redacted.value(token).trim();
        if (value === "") {
          return refuse(
            "Authenticate: missing bearer token in the Authorization header",
          );
        }
        return Option.match(clientOf(known, value), {
          onNone: () => refuse("Authenticate: unknown bearer token"),
          onSome: (clientId) => Effect.succeed({ clientId }),
        });
      },
    };
  }),
);
