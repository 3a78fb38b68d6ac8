/** Counters readable at GET /__stats, so tests and benchmarks can count round trips. */
export interface Stats {
  /** Authenticated REST requests (/, /pipeline, /multi-exec, path-style, subscribe), not /__stats. */
  requests: number;
  /** Redis commands run on behalf of clients (a 10-command pipeline counts 10). */
  commands: number;
  /** Replies with a status of 400 or more, including 401s. */
  errors: number;
  /** Requests answered 503 because Redis was unreachable. */
  unavailable: number;
  /** SSE subscriptions currently open. */
  subscribers: number;
  startedAt: string;
}

export function createStats(): Stats {
  return { requests: 0, commands: 0, errors: 0, unavailable: 0, subscribers: 0, startedAt: new Date().toISOString() };
}
