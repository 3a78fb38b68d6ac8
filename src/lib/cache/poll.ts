/** A waiter's next poll: 20-100 ms with jitter, never past the lease's end or the wait's. */
export function pollDelay(leasePttl: number, left: number): number {
  const base = 20 + Math.random() * 80;
  return Math.max(5, Math.min(base, leasePttl > 0 ? leasePttl + 5 : base, left));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
