/**
 * Final touches to the generated OpenAPI document.
 *
 * @module
 */

const FRAMEWORK_SCHEMAS = ["HttpApiDecodeError", "Issue", "PropertyKey"];
const DECODE_ERROR_REF = "#/components/schemas/HttpApiDecodeError";
const DECODE_ERROR_TEXT = "The request did not match the expected schema";
const INVALID_REQUEST_TEXT =
  "The request is malformed or breaks a validation rule";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const withoutDecodeError = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutDecodeError);
  if (!isObject(value)) return value;

  const entries = Object.entries(value).map(([key, item]) => [
    key,
    withoutDecodeError(item),
  ]);
  const object: Json = Object.fromEntries(entries);
  if (object.description === DECODE_ERROR_TEXT) {
    object.description = INVALID_REQUEST_TEXT;
  }
  const anyOf = object.anyOf;
  if (!Array.isArray(anyOf)) return object;

  const kept = anyOf.filter(
    (item) => !(isObject(item) && item.$ref === DECODE_ERROR_REF),
  );
  if (kept.length === 1) {
    const { anyOf: _, ...rest } = object;
    return { ...rest, ...kept[0] };
  }
  return { ...object, anyOf: kept };
};

/**
 * Removes the framework's own decode error from the document. The server
 * answers every decode failure with `InvalidRequest`, so the framework's
 * schema would only mislead readers and generated clients.
 *
 * @param spec The generated document.
 * @returns The document without the framework's decode error.
 *
 * @example
 * ```ts
 * OpenApi.annotations({ transform: tidyOpenApi });
 * ```
 */
export function tidyOpenApi(spec: Json): Json {
  const tidy = withoutDecodeError(spec) as Json;
  const components = isObject(tidy.components) ? tidy.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};

  return {
    ...tidy,
    components: {
      ...components,
      schemas: Object.fromEntries(
        Object.entries(schemas).filter(
          ([name]) => !FRAMEWORK_SCHEMAS.includes(name),
        ),
      ),
    },
  };
}
