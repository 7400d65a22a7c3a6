/**
 * Bearer authentication: the middleware tag that guards the API and the
 * per-request client it provides to handlers.
 *
 * @module
 */
import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform";
import { Context } from "effect";
import { Unauthorized } from "./errors.ts";

/** The tenant behind the request's bearer token. */
export class CurrentClient extends Context.Tag("CurrentClient")<
  CurrentClient,
  { readonly clientId: string }
>() {}

/** Checks `Authorization: Bearer <token>` and provides the client. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()(
  "Authentication",
  {
    failure: Unauthorized,
    provides: CurrentClient,
    security: {
      bearer: HttpApiSecurity.bearer.pipe(
        HttpApiSecurity.annotate(
          OpenApi.Description,
          "A client token from TOKEN_CLIENT_ID_MAP; each token is one tenant",
        ),
      ),
    },
  },
) {}
