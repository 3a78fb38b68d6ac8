/**
 * Who is asking, once their credential is checked: the root ADMIN_TOKEN, an API key, or a
 * dashboard user. `actorName` is what audit trails record (never what the client claims).
 */
export type Principal =
  | { kind: "admin" }
  | { kind: "key"; id: string; name: string; scopes: readonly string[] }
  | { kind: "user"; name: string; role: Role };

export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The root credential: ADMIN_TOKEN on the API, its sign-in on the dashboard. */
export const ROOT: Principal = { kind: "admin" };

/**
 * The audit trail's actor: `admin`, `key:<name>:<id>` or `user:<name>`. Names are validated when
 * keys and users are created, so the result fits the flag history's actor rule.
 */
export function actorName(principal: Principal): string {
  if (principal.kind === "admin") return "admin";
  if (principal.kind === "key") return `key:${principal.name}:${principal.id}`;
  return `user:${principal.name}`;
}

/** What the rate limiter and idempotency store count a request under: `admin` or `key:<id>`. */
export function principalIdentifier(principal: Principal): string {
  if (principal.kind === "key") return `key:${principal.id}`;
  if (principal.kind === "user") return `user:${principal.name}`;
  return "admin";
}
