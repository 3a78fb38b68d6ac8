/**
 * A small per-isolate memo of verified credentials, so that a key (or dashboard user) checked a
 * moment ago costs no round trip. Entries live `ttlMs` by the app's clock (tests move it), and the
 * map is bounded: when full it starts over. A revocation reaches another isolate when its entry
 * lapses: never later than `ttlMs` (API_KEYS_CACHE_SECONDS, see docs/access.md).
 */
export class CredentialCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly max = 1000) {}

  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, now: number, ttlMs: number): void {
    if (ttlMs <= 0) return;
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: now + ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry `matches` picks (a revocation drops this isolate's copies at once). */
  deleteWhere(matches: (value: T) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }
}
