/**
 * HTTP middleware: one place that turns every failure into the API's
 * error shape, the request body limit, and the request log.
 *
 * @module
 */
import {
  HttpApiBuilder,
  HttpApiError,
  HttpApp,
  HttpIncomingMessage,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse,
} from "@effect/platform";
import { Cause, Effect, Option } from "effect";
import {
  InternalError,
  InvalidRequest,
  NotFound,
  PayloadTooLarge,
} from "../api/errors.ts";
import { Api } from "../api/mod.ts";
import { AppConfig } from "../config.ts";
import { uuidV7 } from "../uuid_v7.ts";
import { describeIssues, informativeIssues } from "./issues.ts";

/**
 * Writes a schema decode failure as one readable sentence that names each
 * offending field and its problem.
 *
 * @param error The framework's decode error.
 * @returns The `detail` of the 400 answer.
 *
 * @example
 * ```ts
 * describeDecodeError(error); // "Validate request: name: is missing"
 * ```
 */
export function describeDecodeError(
  error: HttpApiError.HttpApiDecodeError,
): string {
  return `Validate request: ${describeIssues(informativeIssues(error.issues))}`;
}

const isBodyTooLarge = (error: HttpServerError.RequestError) =>
  error.cause instanceof Error && error.cause.message === "maxBytes exceeded";

const describeDefect = (
  defect: unknown,
  maxBodyBytes: number,
): Option.Option<PayloadTooLarge | InvalidRequest> => {
  if (!HttpServerError.isServerError(defect)) return Option.none();
  if (defect._tag !== "RequestError") return Option.none();

  if (isBodyTooLarge(defect)) {
    return Option.some(
      new PayloadTooLarge({
        detail: `Read request body: larger than ${maxBodyBytes} bytes`,
      }),
    );
  }
  const reason =
    defect.cause instanceof SyntaxError ? `: ${defect.cause.message}` : "";
  return Option.some(
    new InvalidRequest({
      detail: `Parse request body: invalid JSON${reason}`,
    }),
  );
};

type ApiError = InvalidRequest | NotFound | PayloadTooLarge | InternalError;

const toApiError = (
  cause: Cause.Cause<unknown>,
  maxBodyBytes: number,
): Effect.Effect<never, ApiError> => {
  const passThrough = Effect.failCause(cause as Cause.Cause<ApiError>);
  if (Cause.isInterruptedOnly(cause)) return passThrough;

  const failure = Cause.failureOption(cause);
  if (Option.isSome(failure)) {
    const error = failure.value;
    if (error instanceof HttpApiError.HttpApiDecodeError) {
      return Effect.fail(
        new InvalidRequest({ detail: describeDecodeError(error) }),
      );
    }
    if (error instanceof HttpServerError.RouteNotFound) {
      const path = error.request.url.split("?")[0];
      return Effect.fail(
        new NotFound({
          detail: `Route request: no route for ${error.request.method} ${path}`,
        }),
      );
    }
    return passThrough;
  }

  const defect = Cause.squash(cause);
  const known = describeDefect(defect, maxBodyBytes);
  if (Option.isSome(known)) return Effect.fail(known.value);

  return Effect.logError("Unexpected defect", cause).pipe(
    Effect.zipRight(
      Effect.fail(
        new InternalError({
          detail: "Handle request: an unexpected error occurred",
        }),
      ),
    ),
  );
};

/**
 * The API-level middleware. Decode failures, malformed or oversized
 * bodies and unknown routes become tagged API errors; any other defect is
 * logged with its cause and answers a generic 500.
 */
export const ErrorsMiddlewareLive = HttpApiBuilder.middleware(
  Api,
  Effect.map(
    AppConfig,
    ({ maxBodyBytes }) =>
      (app: HttpApp.Default) =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest;
          const length = Number(request.headers["content-length"] ?? 0);
          if (length > maxBodyBytes) {
            return yield* new PayloadTooLarge({
              detail: `Read request body: ${length} bytes is over the limit of ${maxBodyBytes}`,
            });
          }

          return yield* app.pipe(
            HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)),
          );
        }).pipe(
          Effect.catchAllCause((cause) => toApiError(cause, maxBodyBytes)),
        ),
  ),
);

const REQUEST_ID = /^[\w.-]{1,128}$/;

/**
 * The serve-level middleware: a request id (the caller's `x-request-id`
 * when it is sane, else a new one) on the response and on every log line,
 * and one log line per request with method, path, status and duration.
 * Query strings and headers are not logged, so tokens never are.
 *
 * @param app The whole application.
 * @returns The application with logging.
 *
 * @example
 * ```ts
 * HttpApiBuilder.serve(requestLog);
 * ```
 */
export const requestLog = (app: HttpApp.Default): HttpApp.Default =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest;
    const given = request.headers["x-request-id"];
    const requestId =
      given !== undefined && REQUEST_ID.test(given) ? given : uuidV7();
    const started = performance.now();
    const path = request.url.split("?")[0] ?? "/";

    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.succeed(
        HttpServerResponse.setHeader(response, "x-request-id", requestId),
      ),
    );

    const response = yield* app.pipe(
      Effect.catchAllCause((cause) =>
        Effect.logError("Unhandled failure", cause).pipe(
          Effect.as(HttpServerResponse.empty({ status: 500 })),
        ),
      ),
      Effect.annotateLogs("request_id", requestId),
    );

    yield* Effect.logInfo("Handled request").pipe(
      Effect.annotateLogs({
        request_id: requestId,
        method: request.method,
        path,
        status: response.status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
      }),
    );

    return response;
  });
