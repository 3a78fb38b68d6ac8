import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { keyPrincipal } from "../lib/access/api-key.ts";
import { actorName, type Principal, principalIdentifier, ROOT } from "../lib/access/principal.ts";
import { holds, resolveScope, type Scope } from "../lib/access/scopes.ts";
import { type KeyVerdict, verifyKey } from "../lib/access/verify-key.ts";
import { AppError } from "../lib/errors.ts";
import { adminRequired, bearerToken, tokenMatches } from "./admin-auth.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** Who the request authenticated as, set by `authorize()` (and the dashboard's session guard). */
    principal: Principal;
  }
}

type Credential = { status: "none" } | { status: "admin" } | KeyVerdict;

/** Each request's credential, checked once however many middlewares ask (rate limit, idempotency, route). */
const credentials = new WeakMap<Request, Promise<Credential>>();

/**
 * What the request's `Authorization: Bearer` carries: the ADMIN_TOKEN, an API key (verified with
 * `verifyKey`: cached per isolate, else one round trip), or nothing usable.
 */
export function credentialOf(c: Context<AppEnv>): Promise<Credential> {
  let credential = credentials.get(c.req.raw);
  if (!credential) {
    credential = resolve(c);
    credentials.set(c.req.raw, credential);
  }
  return credential;
}

async function resolve(c: Context<AppEnv>): Promise<Credential> {
  const token = bearerToken(c.req.header("authorization"));
  if (!token) return { status: "none" };
  const config = c.get("config");
  if (await tokenMatches(token, config.ADMIN_TOKEN)) return { status: "admin" };
  return verifyKey(c.get("redis"), config, token, c.get("clock").now());
}

const invalidToken = (detail: string) =>
  new AppError("unauthorized", detail, {
    headers: { "www-authenticate": `Bearer realm="edgekit", error="invalid_token"` },
  });

/**
 * The principal of a request with a usable credential, else undefined (no credential, or an
 * unknown one). An expired or revoked key is a 401 saying so: its holder should learn why.
 */
export async function optionalPrincipal(c: Context<AppEnv>): Promise<Principal | undefined> {
  const credential = await credentialOf(c);
  switch (credential.status) {
    case "admin":
      return ROOT;
    case "valid":
      return keyPrincipal(credential.record);
    case "expired":
      throw invalidToken(`This API key expired at ${new Date(credential.record.expiresAt ?? 0).toISOString()}.`);
    case "revoked":
      throw invalidToken(`This API key was revoked at ${new Date(credential.revocation.at).toISOString()}.`);
    default:
      return undefined;
  }
}

/** The 403 of a key without the scope a route needs. */
export function missingScope(scope: string): AppError {
  return new AppError("insufficient_scope", `This API key lacks the scope \`${scope}\`.`, {
    extensions: { scope },
    headers: { "www-authenticate": `Bearer realm="edgekit", error="insufficient_scope", scope="${scope}"` },
  });
}

/** True when `principal` may do what `scope` (resolved for this request) allows. */
export function permits(c: Context<AppEnv>, principal: Principal, scope: Scope): boolean {
  if (principal.kind === "admin") return true;
  if (principal.kind !== "key") return false;
  return holds(
    principal.scopes,
    resolveScope(scope, (name) => c.req.param(name)),
  );
}

/**
 * Lets a request through with the ADMIN_TOKEN or an API key holding `scope` (a patterned scope is
 * filled in from the route's path: `leaderboards:write:{board}`), and puts its principal on the
 * context for audit trails (`actorOf(c)`). 401 without a usable credential, 401 naming an expired
 * or revoked key, 403 naming the missing scope. Use it through `secured(scope)`.
 */
export function authorize(scope: Scope) {
  return createMiddleware<AppEnv>(async function authorize(c, next) {
    const principal = await optionalPrincipal(c);
    if (!principal) throw adminRequired();
    if (!permits(c, principal, scope)) throw missingScope(resolveScope(scope, (name) => c.req.param(name)));
    c.set("principal", principal);
    await next();
  });
}

/**
 * A management route's `security` (the OpenAPI document lists the scope) and its `authorize`
 * middleware, from one scope name, so the two cannot disagree.
 *
 * @example
 * createRoute({ method: "post", path: "/api/links", ...secured("links:write"), ... })
 */
export function secured<S extends Scope>(scope: S) {
  return {
    security: [{ bearerAuth: [scope] }],
    middleware: [authorize(scope)] as [ReturnType<typeof authorize>],
  };
}

/** The audit trail's actor of an authorized request: `admin`, `key:<name>:<id>` or `user:<name>`. */
export function actorOf(c: Context<AppEnv>): string {
  const principal = c.get("principal") as Principal | undefined;
  if (!principal) throw new Error("actorOf: the route has no authorize() middleware");
  return actorName(principal);
}

/** Rate limits and idempotency count a request with a usable credential under it (`admin`, `key:<id>`). */
export async function credentialIdentifier(c: Context<AppEnv>): Promise<string | undefined> {
  const credential = await credentialOf(c);
  if (credential.status === "admin") return "admin";
  if (credential.status === "valid") return principalIdentifier(keyPrincipal(credential.record));
  return undefined;
}
