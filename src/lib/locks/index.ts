/** Leases with fencing tokens, for reuse by other primitives (cache fill, jobs) and other Workers. */
export { acquireLease } from "./acquire-lease.ts";
export { extendLease } from "./extend-lease.ts";
export { fencedWrite, readFenced } from "./fenced-write.ts";
export { keepAlive } from "./keep-alive.ts";
export type { AcquireOutcome, Lease, LeaseKeys } from "./lease.ts";
export { acquireLock, extendLock, releaseLock } from "./lock.ts";
export { releaseLease } from "./release-lease.ts";
