/** The per-id integer replies of the dedup scripts, checked against the batch. */
export function perId(reply: unknown, count: number): number[] {
  if (!Array.isArray(reply) || reply.length !== count) {
    throw new Error(`dedup script: expected ${count} results, got ${JSON.stringify(reply)}`);
  }
  return reply.map(Number);
}

/** Splits ids by their script result: `names[result]` names the list an id goes to. */
export function byResult<const N extends readonly string[]>(ids: string[], results: number[], names: N) {
  const lists = Object.fromEntries(names.map((name) => [name, [] as string[]])) as Record<N[number], string[]>;
  ids.forEach((id, i) => {
    const name = names[results[i] ?? -1] as N[number] | undefined;
    if (name !== undefined) lists[name].push(id);
  });
  return lists;
}
