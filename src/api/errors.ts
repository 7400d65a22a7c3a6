/**
 * Every error a caller can see. Each is a tagged schema error that carries
 * its HTTP status, a stable machine-readable `code` and a human-readable
 * `detail`, so the server, the OpenAPI document and the typed client all
 * agree on it.
 *
 * @module
 */
import { HttpApiSchema } from "@effect/platform";
import { Schema } from "effect";

const fields = <const Code extends string>(code: Code) => ({
  detail: Schema.String.annotations({
    description: "What went wrong, and the value that caused it",
  }),
  code: Schema.Literal(code).pipe(
    Schema.propertySignature,
    Schema.withConstructorDefault(() => code),
  ),
});

/** One invalid item of a list in a request, such as an event of a batch. */
export const InvalidItem = Schema.Struct({
  index: Schema.Number.annotations({
    description: "The item's position in the list, counting from 0",
  }),
  detail: Schema.String.annotations({
    description: "What is wrong with the item, field by field",
  }),
}).annotations({ identifier: "InvalidItem" });

/** `400`: the request is malformed or breaks a rule. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()(
  "InvalidRequest",
  {
    ...fields("invalid_request"),
    errors: Schema.optional(
      Schema.Array(InvalidItem).annotations({
        description:
          "Only for a request with a list of items, such as a batch of " +
          "events: each invalid item with its index and its problem",
      }),
    ),
  },
  HttpApiSchema.annotations({
    status: 400,
    description: "The request is malformed or breaks a validation rule",
  }),
) {}

/** `401`: the bearer token is missing or unknown. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  fields("unauthorized"),
  HttpApiSchema.annotations({
    status: 401,
    description: "The bearer token is missing or unknown",
  }),
) {}

/** `404`: no such resource for this client. */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  fields("not_found"),
  HttpApiSchema.annotations({
    status: 404,
    description: "No such resource for this client",
  }),
) {}

/** `409`: the request conflicts with the resource's state. */
export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  fields("conflict"),
  HttpApiSchema.annotations({
    status: 409,
    description: "The request conflicts with the resource's state",
  }),
) {}

/** `413`: the request body is over the size limit. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  fields("payload_too_large"),
  HttpApiSchema.annotations({
    status: 413,
    description: "The request body is larger than the server accepts",
  }),
) {}

/** `503`: a dependency (the database) is unreachable. */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  fields("service_unavailable"),
  HttpApiSchema.annotations({
    status: 503,
    description: "A dependency of the service is unreachable; retry later",
  }),
) {}

/** `500`: a bug in the service; the cause is logged, never returned. */
export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  fields("internal_error"),
  HttpApiSchema.annotations({
    status: 500,
    description: "An unexpected error; it is logged and is always a bug",
  }),
) {}
