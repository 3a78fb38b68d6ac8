/** Vary names learned per URL, per isolate: a Vary'd URL costs a second lookup only when cold here. */
export const varyMemo = new Map<string, string>();

/** Cleared when full, so that an isolate's memo stays bounded. */
export function remember(baseId: string, names: string): void {
  if (varyMemo.size >= 10_000) varyMemo.clear();
  if (names) varyMemo.set(baseId, names);
  else varyMemo.delete(baseId);
}
