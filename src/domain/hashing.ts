/**
 * Deterministic assignment of users to experiment variants.
 *
 * A user is hashed together with an experiment's salt into one of
 * {@linkcode BUCKET_COUNT} buckets, and the variants' traffic allocations
 * split the buckets into contiguous ranges. The same salt and user always
 * land in the same bucket, and different salts place a user independently.
 *
 * Everything here is pure and synchronous: plain data in, plain data out.
 *
 * @example
 * ```ts
 * import { assignVariant } from "./hashing.ts";
 *
 * const variants = [
 *   { name: "control", trafficAllocation: 50 },
 *   { name: "treatment", trafficAllocation: 50 },
 * ];
 * const variant = assignVariant("experiment-salt", "user_1", variants);
 * console.log(variant.name);
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * The number of buckets users are hashed into. One bucket is 0.01% of
 * traffic, so allocations resolve to two decimal places of a percent.
 */
export const BUCKET_COUNT = 10_000;

const HASH_PREFIX_BYTES = 6;
const HASH_PREFIX_RANGE = 2 ** (HASH_PREFIX_BYTES * 8);

/**
 * Hashes a user into a bucket for one experiment.
 *
 * The bucket comes from the SHA-256 digest of the UTF-8 bytes of
 * `salt + "\u0000" + userId`: its first six bytes, read as an unsigned
 * big-endian 48-bit integer, are scaled down to the bucket range.
 *
 * @param salt The experiment's salt, by default its UUID.
 * @param userId The identifier of the user being assigned.
 * @returns An integer bucket in `[0, BUCKET_COUNT)`.
 *
 * @example
 * ```ts
 * import { bucketOf } from "./hashing.ts";
 *
 * const bucket = bucketOf("experiment-salt", "user_1");
 * console.log(bucket === bucketOf("experiment-salt", "user_1"));
 * ```
 */
export function bucketOf(salt: string, userId: string): number {
  const digest = createHash("sha256")
    .update(`${salt}\u0000${userId}`, "utf8")
    .digest();

  const value = digest.readUIntBE(0, HASH_PREFIX_BYTES);

  return Math.floor((value * BUCKET_COUNT) / HASH_PREFIX_RANGE);
}

/**
 * Turns traffic allocations into the upper bucket boundary of each variant.
 *
 * Each boundary is rounded from the running percentage total, so rounding
 * never accumulates, and the last boundary is always `BUCKET_COUNT`.
 * Variant `i` owns the buckets from `boundaries[i - 1]` (or 0) up to, but
 * not including, `boundaries[i]`.
 *
 * @param allocations Percentages above zero that sum to 100 within 1e-6.
 * @returns The cumulative upper boundaries, one per allocation.
 *
 * @example
 * ```ts
 * import { allocationBoundaries } from "./hashing.ts";
 *
 * console.log(allocationBoundaries([20, 30, 50]));
 * // [2000, 5000, 10000]
 * ```
 */
export function allocationBoundaries(
  allocations: ReadonlyArray<number>,
): ReadonlyArray<number> {
  const boundaries: Array<number> = [];
  let cumulativePercent = 0;

  for (const allocation of allocations) {
    cumulativePercent += allocation;
    boundaries.push(Math.round(cumulativePercent * 100));
  }

  if (boundaries.length > 0) {
    boundaries[boundaries.length - 1] = BUCKET_COUNT;
  }

  return boundaries;
}

/**
 * Finds the variant that owns a bucket.
 *
 * @param bucket A bucket in `[0, BUCKET_COUNT)`, as from {@linkcode bucketOf}.
 * @param boundaries Boundaries from {@linkcode allocationBoundaries}.
 * @returns The index of the first boundary above the bucket; a bucket past
 * every boundary falls to the last index.
 *
 * @example
 * ```ts
 * import { chooseVariantIndex } from "./hashing.ts";
 *
 * console.log(chooseVariantIndex(4999, [5000, 10000]));
 * // 0
 * ```
 */
export function chooseVariantIndex(
  bucket: number,
  boundaries: ReadonlyArray<number>,
): number {
  const lastIndex = boundaries.length - 1;

  for (let index = 0; index < lastIndex; index++) {
    if (bucket < boundaries[index]) return index;
  }

  return lastIndex;
}

/**
 * Assigns a user to one of an experiment's variants.
 *
 * Precondition: `variants` holds at least two entries whose
 * `trafficAllocation` percentages are above zero and sum to 100. That is
 * checked where experiments are created, not here.
 *
 * @param salt The experiment's salt, by default its UUID.
 * @param userId The identifier of the user being assigned.
 * @param variants The experiment's variants, in their stored order.
 * @returns The variant whose bucket range holds the user's bucket.
 *
 * @example
 * ```ts
 * import { assignVariant } from "./hashing.ts";
 *
 * const variants = [
 *   { key: "a", trafficAllocation: 20 },
 *   { key: "b", trafficAllocation: 80 },
 * ];
 * console.log(assignVariant("experiment-salt", "user_1", variants).key);
 * ```
 */
export function assignVariant<V extends { readonly trafficAllocation: number }>(
  salt: string,
  userId: string,
  variants: ReadonlyArray<V>,
): V {
  const bucket = bucketOf(salt, userId);
  const allocations = variants.map((variant) => variant.trafficAllocation);
  const index = chooseVariantIndex(bucket, allocationBoundaries(allocations));

  return variants[index];
}
