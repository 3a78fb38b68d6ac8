import type { Context } from "hono";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { dashboardAllows, dashboardPrincipal, signInWithKey, signInWithPassword } from "../../lib/access/dashboard.ts";
import type { Role } from "../../lib/access/principal.ts";
import { isKeySecret } from "../../lib/access/token.ts";
import { MAX_TOKEN_LENGTH, startAdminSession } from "../../lib/dashboard/index.ts";
import { userIdentifier } from "../../lib/ratelimit/identifier.ts";
import type { CreatedSession } from "../../lib/sessions/index.ts";
import { destroySession } from "../../lib/sessions/index.ts";
import { clearSessionCookie, sessionRouteLimit, sessionToken, setSessionCookie } from "../../middleware/session.ts";
import { readForm } from "./form.ts";
import { Layout, Notice } from "./layout.tsx";

declare module "hono" {
  interface ContextVariableMap {
    /** The signed-in dashboard user's role, set by `requireDashboardSession()`. */
    dashboardRole: Role;
  }
}

/** Where a login goes back to: only a dashboard path, never another site. */
const NEXT_PATH = /^\/admin(\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*$/;
const safeNext = (next: string | undefined) => (next && NEXT_PATH.test(next) ? next : "/admin/links");

/** Who the request's dashboard session belongs to (root, a user, a key), or undefined. */
const signedIn = (c: Context<AppEnv>) =>
  dashboardPrincipal(c.get("redis"), c.get("config"), c.get("session"), c.get("clock").now());

/**
 * The dashboard's one gate, for every page behind it (runs after `loadSession()`): a request
 * without a live dashboard session goes to the login page (303, so a POST becomes a GET), with the
 * page it wanted; one whose role may not do this (`dashboardAllows`: viewers read, editors change
 * primitives, admins also manage users and keys) gets a 403 page. Sets `principal` (audit trails
 * name the user or key) and `dashboardRole`.
 */
export function requireDashboardSession() {
  return createMiddleware<AppEnv>(async function requireDashboardSession(c, next) {
    const who = await signedIn(c);
    if (!who) {
      const wanted = c.req.method === "GET" ? new URL(c.req.url).pathname : undefined;
      const query = wanted && NEXT_PATH.test(wanted) ? `?next=${encodeURIComponent(wanted)}` : "";
      return c.redirect(`/admin/login${query}`, 303);
    }
    c.set("principal", who.principal);
    c.set("dashboardRole", who.role);
    if (!dashboardAllows(who.role, c.req.method, c.req.path)) {
      return c.html(<ForbiddenPage role={who.role} />, 403);
    }
    await next();
  });
}

function ForbiddenPage(props: { role: Role }) {
  return (
    <Layout title="Not allowed" section="links">
      <h1>Not allowed</h1>
      <Notice kind="error">
        {props.role === "viewer"
          ? "Your role is viewer: you can look, not change. Ask an admin for the editor role."
          : "Only admins manage users and keys."}
      </Notice>
      <p>
        <a href="/admin/links">Back to the dashboard</a>
      </p>
    </Layout>
  );
}

function LoginPage(props: { next: string; failed?: boolean }) {
  return (
    <Layout title="Sign in">
      <div class="login card">
        <h1>edgekit dashboard</h1>
        {props.failed ? <Notice kind="error">That name and password, key or token does not sign in.</Notice> : null}
        <form method="post" action="/admin/login">
          <input type="hidden" name="next" value={props.next} />
          <label for="name">Name</label>
          <input id="name" name="name" type="text" autocomplete="username" maxlength={32} />
          <label for="token">Password, API key or admin token</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="current-password"
            required
            maxlength={MAX_TOKEN_LENGTH}
          />
          <p>
            <button type="submit">Sign in</button>
          </p>
        </form>
        <p class="muted">
          A dashboard user signs in with name and password. Leave the name empty to sign in with an API key (one holding
          a dashboard scope) or the ADMIN_TOKEN.
        </p>
      </div>
    </Layout>
  );
}

const loginForm = z.object({
  name: z.string().max(32).optional(),
  token: z.string().max(MAX_TOKEN_LENGTH),
  next: z.string().max(256).optional(),
});

const noStore = (c: Context) => c.header("cache-control", "no-store");

/** Checks what the login form carries and starts the session it earns, if any. */
async function signIn(c: Context<AppEnv>, form: z.output<typeof loginForm>): Promise<CreatedSession | undefined> {
  const redis = c.get("redis");
  const config = c.get("config");
  const input = { userAgent: c.req.header("user-agent") ?? "", now: c.get("clock").now() };
  const name = form.name?.trim() ?? "";
  if (name !== "") {
    // Besides the per-address limit (the route's), a budget per name: guessing one user's password
    // from many addresses is as slow as from one.
    await c.get("rateLimit").spendFor([{ identifier: await userIdentifier(`dashboard-${name.toLowerCase()}`) }]);
    return signInWithPassword(redis, config, { ...input, name, password: form.token });
  }
  if (isKeySecret(form.token)) return signInWithKey(redis, config, { ...input, secret: form.token });
  return startAdminSession(redis, config, { ...input, token: form.token });
}

/** GET/POST /admin/login and POST /admin/logout. */
export const authRoutes = new Hono<AppEnv>()
  .get("/admin/login", async (c) => {
    noStore(c);
    if (await signedIn(c)) return c.redirect(safeNext(c.req.query("next")), 303);
    return c.html(<LoginPage next={safeNext(c.req.query("next"))} />);
  })
  .post("/admin/login", async (c) => {
    noStore(c);
    const form = await readForm(c, loginForm);
    const next = safeNext(form.ok ? form.value.next : undefined);
    const created = form.ok ? await signIn(c, form.value) : undefined;
    if (!created) return c.html(<LoginPage next={next} failed />, 401);
    // Rotation on login: a fresh session every time, and the one the browser had before (if any)
    // ends, so a cookie planted or stolen before the login is never promoted.
    const previous = sessionToken(c);
    const now = c.get("clock").now();
    if (previous !== undefined) await destroySession(c.get("redis"), c.get("config"), { token: previous, now });
    setSessionCookie(c, created.token, created.expiresAt, now);
    return c.redirect(next, 303);
  })
  .post("/admin/logout", async (c) => {
    const token = sessionToken(c);
    if (token !== undefined) {
      const limit = await sessionRouteLimit(c);
      await destroySession(c.get("redis"), c.get("config"), { token, now: c.get("clock").now(), limit });
      clearSessionCookie(c);
    }
    return c.redirect("/admin/login", 303);
  });
