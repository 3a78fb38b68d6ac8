/** A running heartbeat; `stop()` ends it, `lost` says whether an extension was refused. */
export interface Heartbeat {
  stop(): void;
  readonly lost: boolean;
}

/**
 * Calls `extend` every `everyMs` (half the lease is the usual choice) until stopped or until an
 * extension is refused (the lease is lost: stop working, a retry may hold it now). A failed call
 * (Redis slow or gone) is tried again on the next beat: the lease lapses on its own if Redis
 * never answers.
 *
 * @example
 * const beat = keepAlive(async () => (await extendLease(redis, keys, { token, ttlMs, now: clock.now() })) !== null, ttlMs / 2);
 * try { await work(); } finally { beat.stop(); }
 */
export function keepAlive(extend: () => Promise<boolean>, everyMs: number): Heartbeat {
  let lost = false;
  const timer = setInterval(() => {
    extend().then(
      (kept) => {
        if (!kept) {
          lost = true;
          clearInterval(timer);
        }
      },
      () => {},
    );
  }, everyMs);
  return {
    stop: () => clearInterval(timer),
    get lost() {
      return lost;
    },
  };
}
