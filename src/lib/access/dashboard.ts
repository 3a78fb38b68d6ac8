import type { Config } from "../../env.ts";
import { ADMIN_USER_ID } from "../dashboard/admin-session.ts";
import type { RedisClient } from "../redis.ts";
import { type CreatedSession, createDashboardSession, type Session } from "../sessions/index.ts";
import { keyPrincipal } from "./api-key.ts";
import { type Principal, ROOT, type Role } from "./principal.ts";
import { holds } from "./scopes.ts";
import { authenticateUser, sessionUser } from "./users.ts";
import { keyById, verifyKey } from "./verify-key.ts";

/**
 * Dashboard sessions name who signed in by their (reserved, `edgekit:`) user id:
 *
 *   edgekit:dashboard-admin               the ADMIN_TOKEN (root)
 *   edgekit:user:<name>:<generation>      a dashboard user; a new password changes the generation
 *   edgekit:key:<id>                      an API key holding a `dashboard:*` scope
 *
 * The user or key is looked up again on each request (cached per isolate for
 * API_KEYS_CACHE_SECONDS), so a removed user, a revoked key or a changed role applies within that.
 */
const USER_SESSION = /^edgekit:user:([a-z0-9][a-z0-9._-]{0,31}):([0-9A-Za-z]{11})$/;
const KEY_SESSION = /^edgekit:key:(key_[0-9A-Za-z]{11})$/;

/** The dashboard role an API key signs in with: its highest `dashboard:*` scope, else none. */
export function keyRole(scopes: readonly string[]): Role | undefined {
  if (holds(scopes, "dashboard:admin")) return "admin";
  if (holds(scopes, "dashboard:write")) return "editor";
  if (holds(scopes, "dashboard:read")) return "viewer";
  return undefined;
}

/** Starts a session for a user whose name and password match; undefined otherwise (same time). */
export async function signInWithPassword(
  redis: RedisClient,
  config: Config,
  input: { name: string; password: string; userAgent: string; now: number },
): Promise<CreatedSession | undefined> {
  const found = await authenticateUser(redis, config, input.name, input.password);
  if (!found) return undefined;
  return createDashboardSession(redis, config, {
    userId: `edgekit:user:${found.user.name}:${found.generation}`,
    userAgent: input.userAgent,
    now: input.now,
  });
}

/** Starts a session for a valid API key with a `dashboard:*` scope; undefined otherwise. */
export async function signInWithKey(
  redis: RedisClient,
  config: Config,
  input: { secret: string; userAgent: string; now: number },
): Promise<CreatedSession | undefined> {
  const verdict = await verifyKey(redis, config, input.secret, input.now);
  if (verdict.status !== "valid" || !keyRole(verdict.record.scopes)) return undefined;
  return createDashboardSession(redis, config, {
    userId: `edgekit:key:${verdict.record.id}`,
    userAgent: input.userAgent,
    now: input.now,
  });
}

/** Who a dashboard session belongs to now, and their role; undefined when that is no one any more. */
export async function dashboardPrincipal(
  redis: RedisClient,
  config: Config,
  session: Session | undefined,
  now: number,
): Promise<{ principal: Principal; role: Role } | undefined> {
  if (!session?.dashboard) return undefined;
  if (session.userId === ADMIN_USER_ID) return { principal: ROOT, role: "admin" };
  const user = USER_SESSION.exec(session.userId);
  if (user?.[1] && user[2]) {
    const found = await sessionUser(redis, config, user[1], user[2], now);
    return found ? { principal: { kind: "user", name: found.name, role: found.role }, role: found.role } : undefined;
  }
  const key = KEY_SESSION.exec(session.userId);
  if (key?.[1]) {
    const verdict = await keyById(redis, config, key[1], now);
    const role = verdict.status === "valid" ? keyRole(verdict.record.scopes) : undefined;
    return verdict.status === "valid" && role ? { principal: keyPrincipal(verdict.record), role } : undefined;
  }
  return undefined;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * What a role may do on the dashboard, for every page (the admin router asks this once, before
 * any page runs): viewers read; editors also change primitives; only admins see or change the
 * users and keys pages.
 */
export function dashboardAllows(role: Role, method: string, path: string): boolean {
  if (role === "admin") return true;
  if (/^\/admin\/(users|keys)(\/|$)/.test(path)) return false;
  return role === "editor" || SAFE.has(method);
}
