/**
 * Turns the counts that SQL computes into the rows of the results
 * endpoint: every variant for every event type, zeros where nobody
 * converted.
 *
 * @module
 */

/** A variant, in the experiment's order; the first is the control. */
export interface VariantRef {
  readonly key: number;
  readonly publicId: string;
  readonly name: string;
}

/** Users assigned to one variant. */
export interface UserCount {
  readonly variantKey: number;
  readonly users: number;
}

/** Converted users of one variant for one event type. */
export interface Conversion {
  readonly variantKey: number;
  readonly eventType: string;
  readonly converted: number;
}

/** One row of results. */
export interface ResultRow {
  readonly variant_id: string;
  readonly variant_name: string;
  readonly user_count: number;
  readonly event_type: string;
  readonly user_count_event_type: number;
  readonly conversion_rate: number;
}

/**
 * The event types to report: exactly the requested ones (first mention
 * first), or else every type in the conversions, sorted.
 *
 * @param conversions The counts from SQL.
 * @param requested The caller's filter, if any.
 * @returns The types, without repeats.
 *
 * @example
 * ```ts
 * reportedEventTypes([], ["signup", "purchase"]); // ["signup", "purchase"]
 * ```
 */
export function reportedEventTypes(
  conversions: ReadonlyArray<Conversion>,
  requested: ReadonlyArray<string> | undefined,
): ReadonlyArray<string> {
  if (requested !== undefined) return [...new Set(requested)];
  return [...new Set(conversions.map((c) => c.eventType))].sort();
}

/**
 * Builds the results rows, grouped by event type, variants in order.
 *
 * @param variants The experiment's variants.
 * @param userCounts Assigned users per variant; missing means none.
 * @param conversions Converted users per variant and type.
 * @param requested The caller's event type filter, if any.
 * @returns One row per event type and variant.
 *
 * @example
 * ```ts
 * buildResultRows(
 *   [{ key: 1, publicId: "a", name: "control" }],
 *   [{ variantKey: 1, users: 4 }],
 *   [{ variantKey: 1, eventType: "buy", converted: 1 }],
 *   undefined,
 * ); // [{ ..., user_count: 4, user_count_event_type: 1, conversion_rate: 0.25 }]
 * ```
 */
export function buildResultRows(
  variants: ReadonlyArray<VariantRef>,
  userCounts: ReadonlyArray<UserCount>,
  conversions: ReadonlyArray<Conversion>,
  requested: ReadonlyArray<string> | undefined,
): ReadonlyArray<ResultRow> {
  const users = new Map(userCounts.map((c) => [c.variantKey, c.users]));
  const converted = new Map(
    conversions.map((c) => [
      `${c.variantKey}\u0000${c.eventType}`,
      c.converted,
    ]),
  );

  return reportedEventTypes(conversions, requested).flatMap((eventType) =>
    variants.map((variant) => {
      const userCount = users.get(variant.key) ?? 0;
      const convertedUsers =
        converted.get(`${variant.key}\u0000${eventType}`) ?? 0;

      return {
        variant_id: variant.publicId,
        variant_name: variant.name,
        user_count: userCount,
        event_type: eventType,
        user_count_event_type: convertedUsers,
        conversion_rate: userCount === 0 ? 0 : convertedUsers / userCount,
      };
    }),
  );
}
