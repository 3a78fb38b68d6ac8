/**
 * The one table of scopes: what an API key may be granted, per primitive and action. Routes name
 * the scope they need (`secured("links:write")`, src/middleware/authorize.ts), the OpenAPI document
 * lists it on each operation (`security: [{ bearerAuth: ["links:write"] }]`), and docs/access.md
 * carries `scopesMarkdown()` (a test compares them).
 *
 * A scope is `<resource>:<action>`. A patterned one, `<resource>:<action>:{param}`, is resolved
 * per request from the route's path parameter (`leaderboards:write:{board}` on
 * PUT /api/leaderboards/games asks for `leaderboards:write:games`). What a key may hold:
 *
 *   links:write              exactly that action
 *   links:*                  every action of the resource
 *   leaderboards:write       a patterned action on every value
 *   leaderboards:write:eu-*  a patterned action on matching values (`*` = any run of characters)
 */
export const SCOPES = {
  "links:read": "List links, read one, its click stats and QR code",
  "links:write": "Create, bulk-create, change and delete links",
  "flags:read": "Read flags, the flag list and a flag's history",
  "flags:write": "Create, replace and delete flags",
  "experiments:read": "Read experiments, the list and results",
  "experiments:write": "Create, replace and delete experiments",
  "views:read": "The top pages (counting and per-page totals stay public)",
  "sessions:read": "List a user's sessions",
  "sessions:write": "Start sessions for users (a backend's login) and log a user out everywhere",
  "ratelimit:read": "Read an identifier's rate-limit state",
  "ratelimit:write": "Reset an identifier's rate limits",
  "dedup:write": "Record and check events in dedup namespaces",
  "locks:write": "Acquire, extend and release locks",
  "leaderboards:read": "List leaderboards",
  "leaderboards:write:{board}": "Create, replace and delete a board, and submit any member's score",
  "trending:read": "List trending lists",
  "trending:write": "Create and delete trending lists, record and remove hits",
  "places:read": "Read place sets, places and fences (nearby search stays public)",
  "places:write": "Create and delete place sets, places and fences",
  "jobs:read": "Read queues, jobs, stats, the dead-letter queue and events",
  "jobs:write": "Create queues, enqueue jobs, run a queue, replay and purge its dead letters",
  "cache:read": "Inspect the shared cache's entries",
  "cache:purge": "Purge cached responses by URL or tag",
  "channels:publish:{channel}": "Publish events to channels whose name matches",
  "channels:subscribe:{channel}": "Read private channels whose name matches (stream and history)",
  "notifications:write": "Write to users' inboxes (notifications, badges)",
  "presence:write": "Mark members present or gone",
  "keys:read": "List API keys (never their secrets)",
  "keys:write": "Create API keys (only with scopes the creator holds) and revoke them",
  "dashboard:read": "Sign in to the dashboard as a viewer (read only)",
  "dashboard:write": "Sign in to the dashboard as an editor (change primitives)",
  "dashboard:admin": "Sign in to the dashboard as an admin (users and keys too)",
} as const satisfies Record<string, string>;

/** A scope as a route names it (patterned ones with their `{param}`). */
export type Scope = keyof typeof SCOPES;

/** The scopes a key may hold at most (more would only slow every check down). */
export const MAX_SCOPES = 64;

interface ScopeEntry {
  scope: Scope;
  /** `resource:action`, the part before a pattern. */
  base: string;
  resource: string;
  /** The path parameter of a patterned scope. */
  param?: string;
}

const ENTRIES: ScopeEntry[] = Object.keys(SCOPES).map((scope) => {
  const [resource = "", action = "", pattern] = scope.split(":");
  return {
    scope: scope as Scope,
    base: `${resource}:${action}`,
    resource,
    param: pattern ? pattern.slice(1, -1) : undefined,
  };
});
const BY_BASE = new Map(ENTRIES.map((entry) => [entry.base, entry]));
const RESOURCES = new Set(ENTRIES.map((entry) => entry.resource));

/** A pattern's value: the names the routes' parameters allow, plus `*`. */
const PATTERN = /^[A-Za-z0-9_.*-]{1,64}$/;

/** The route's scope and how it resolves: its base and, for a patterned one, the parameter. */
export function scopeEntry(scope: Scope): ScopeEntry {
  return BY_BASE.get(scope.split(":").slice(0, 2).join(":")) as ScopeEntry;
}

/** Why a scope cannot be granted, or undefined when it can. */
export function grantProblem(granted: string): string | undefined {
  const [resource = "", action = "", pattern, ...rest] = granted.split(":");
  if (rest.length > 0 || !RESOURCES.has(resource)) return `"${granted}" is not a scope; see GET /api/keys/scopes`;
  if (action === "*") return pattern === undefined ? undefined : `"${granted}": a wildcard takes no pattern`;
  const entry = BY_BASE.get(`${resource}:${action}`);
  if (!entry) return `"${granted}" is not a scope; see GET /api/keys/scopes`;
  if (pattern === undefined) return undefined;
  if (!entry.param) return `"${entry.base}" takes no pattern`;
  if (!PATTERN.test(pattern)) return `"${granted}": a pattern is 1-64 of A-Z a-z 0-9 _ . - *`;
  return undefined;
}

/**
 * `*` matches any run of characters; everything else is literal. The greedy two-pointer match
 * (back to the last star on a mismatch): linear-ish time whatever the pattern, where a regex
 * built from `a*a*a*...` could backtrack for ever.
 */
function globMatches(glob: string, value: string): boolean {
  let g = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (g < glob.length && glob[g] !== "*" && glob[g] === value[v]) {
      g++;
      v++;
    } else if (g < glob.length && glob[g] === "*") {
      star = g++;
      resume = v;
    } else if (star >= 0) {
      g = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}

/**
 * True when a held scope covers a wanted one: the same scope, the resource's `*`, a patterned
 * action without pattern, or a pattern whose glob matches. `wanted` may itself be a grant (with
 * `*` in its pattern, when a key creates a key): a glob that matches the pattern's text covers
 * every value the pattern does.
 *
 * @example covers("leaderboards:write:eu-*", "leaderboards:write:eu-west") // true
 */
export function covers(held: string, wanted: string): boolean {
  if (held === wanted) return true;
  const [resource, action, pattern] = splitScope(held);
  const [wantedResource, wantedAction, wantedPattern] = splitScope(wanted);
  if (resource !== wantedResource) return false;
  if (action === "*") return true;
  if (action !== wantedAction) return false;
  if (pattern === undefined) return true;
  return wantedPattern !== undefined && globMatches(pattern, wantedPattern);
}

/** `resource`, `action` and the rest (a pattern value may hold anything a path parameter does). */
function splitScope(scope: string): [string, string, string | undefined] {
  const first = scope.indexOf(":");
  const second = scope.indexOf(":", first + 1);
  if (first < 0) return [scope, "", undefined];
  if (second < 0) return [scope.slice(0, first), scope.slice(first + 1), undefined];
  return [scope.slice(0, first), scope.slice(first + 1, second), scope.slice(second + 1)];
}

/** True when any of the held scopes covers `wanted`. */
export const holds = (held: readonly string[], wanted: string): boolean => held.some((h) => covers(h, wanted));

/** A route's scope with its parameter filled in from the request (`leaderboards:write:games`). */
export function resolveScope(scope: Scope, param: (name: string) => string | undefined): string {
  const entry = scopeEntry(scope);
  if (!entry.param) return scope;
  const value = param(entry.param);
  // A parameter the route did not match (never, for a correct table) asks for every value.
  return value === undefined ? `${entry.base}:*` : `${entry.base}:${value}`;
}

/** The scopes as the Markdown table docs/access.md carries (test/worker/access/docs.test.ts). */
export function scopesMarkdown(): string {
  const rows = Object.entries(SCOPES).map(([scope, what]) => `| \`${scope}\` | ${what} |`);
  return ["| scope | grants |", "| --- | --- |", ...rows].join("\n");
}
