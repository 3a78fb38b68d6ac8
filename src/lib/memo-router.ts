import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";

/** Distinct method + path pairs remembered per isolate; a full memo starts over (bounded memory). */
export const MAX_REMEMBERED_PATHS = 1000;

/**
 * Hono's default router (RegExpRouter, else TrieRouter), remembering the answer for the last
 * distinct method + path pairs. edgekit's route table is one RegExpRouter refuses (a parameter
 * beside a literal at the same depth: `/api/views/{page}` and `/api/views/top`), so Hono falls
 * back to TrieRouter, whose search over ~330 entries was 4-6% of a hot path's Worker CPU
 * (docs/performance-cpu.md). A router's answer depends on the method and path alone, and Hono
 * treats it as read-only (RegExpRouter itself hands out one shared answer per static path), so a
 * remembered answer is the answer: same handlers, same order, same parameters.
 *
 * What it saves depends on traffic: a popular link, a page's view counter, an experiment's
 * assignment route or /api/sessions/current repeat their paths; a path never seen before costs
 * one Map lookup more than today.
 */
export function memoRouter<T>(inner: Router<T> = defaultRouter<T>()): Router<T> {
  const remembered = new Map<string, Result<T>>();
  return {
    get name() {
      return `memo(${inner.name})`;
    },
    add(method, path, handler) {
      remembered.clear();
      inner.add(method, path, handler);
    },
    match(method, path) {
      const key = `${method} ${path}`;
      let result = remembered.get(key);
      if (result === undefined) {
        result = inner.match(method, path);
        if (remembered.size >= MAX_REMEMBERED_PATHS) remembered.clear();
        remembered.set(key, result);
      }
      return result;
    },
  };
}

function defaultRouter<T>(): Router<T> {
  return new SmartRouter<T>({ routers: [new RegExpRouter<T>(), new TrieRouter<T>()] });
}
