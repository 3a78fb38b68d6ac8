import { bucketOf } from "../bucketing.ts";

/**
 * A unit's two buckets in one experiment, from the shared bucketing function (the one flags use).
 * Coverage and variant choice hash different inputs, so they are independent (GrowthBook's hashing
 * v2 does the same): the units that enter at 20 % coverage split by weight exactly like everyone,
 * and raising coverage only adds units without changing anyone's variant.
 *
 * @example
 * unitBuckets("checkout-2026", "user-42") // { coverage: 7311, variant: 1204 }
 */
export function unitBuckets(salt: string, unitId: string): { coverage: number; variant: number } {
  return { coverage: bucketOf(`${salt}:coverage`, unitId), variant: bucketOf(salt, unitId) };
}

/**
 * The salt each experiment was last seen with, per isolate. The salt defaults to the experiment
 * key, so most experiments never need this; one with a custom salt costs one extra round trip per
 * isolate (the script refuses buckets from the wrong salt and names the right one).
 */
const knownSalts = new Map<string, string>();
const MAX_SALTS = 1000;

export function saltFor(scope: string, key: string): string {
  return knownSalts.get(`${scope}${key}`) ?? key;
}

export function rememberSalt(scope: string, key: string, salt: string): void {
  if (knownSalts.size >= MAX_SALTS) knownSalts.clear();
  knownSalts.set(`${scope}${key}`, salt);
}
