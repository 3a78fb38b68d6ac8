import type { Context } from "hono";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { isAdminSession, MAX_TOKEN_LENGTH, startAdminSession } from "../../lib/dashboard/index.ts";
import { destroySession } from "../../lib/sessions/index.ts";
import { clearSessionCookie, sessionRouteLimit, sessionToken, setSessionCookie } from "../../middleware/session.ts";
import { readForm } from "./form.ts";
import { Layout, Notice } from "./layout.tsx";

/** Where a login goes back to: only a dashboard path, never another site. */
const NEXT_PATH = /^\/admin(\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*$/;
const safeNext = (next: string | undefined) => (next && NEXT_PATH.test(next) ? next : "/admin/links");

/**
 * Sends requests without an admin session to the login page (303, so a POST becomes a GET), with
 * the page they wanted. Runs after `loadSession()`.
 */
export function requireAdminSession() {
  return createMiddleware<AppEnv>(async function requireAdminSession(c, next) {
    if (!isAdminSession(c.get("session"))) {
      const wanted = c.req.method === "GET" ? new URL(c.req.url).pathname : undefined;
      const query = wanted && NEXT_PATH.test(wanted) ? `?next=${encodeURIComponent(wanted)}` : "";
      return c.redirect(`/admin/login${query}`, 303);
    }
    await next();
  });
}

function LoginPage(props: { next: string; failed?: boolean }) {
  return (
    <Layout title="Sign in">
      <div class="login card">
        <h1>edgekit dashboard</h1>
        {props.failed ? <Notice kind="error">That is not the admin token.</Notice> : null}
        <form method="post" action="/admin/login">
          <input type="hidden" name="next" value={props.next} />
          <label for="token">Admin token</label>
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
        <p class="muted">The ADMIN_TOKEN secret of this Worker. Signing in starts a session.</p>
      </div>
    </Layout>
  );
}

const loginForm = z.object({
  token: z.string().max(MAX_TOKEN_LENGTH),
  next: z.string().max(256).optional(),
});

const noStore = (c: Context) => c.header("cache-control", "no-store");

/** GET/POST /admin/login and POST /admin/logout. */
export const authRoutes = new Hono<AppEnv>()
  .get("/admin/login", (c) => {
    noStore(c);
    if (isAdminSession(c.get("session"))) return c.redirect(safeNext(c.req.query("next")), 303);
    return c.html(<LoginPage next={safeNext(c.req.query("next"))} />);
  })
  .post("/admin/login", async (c) => {
    noStore(c);
    const form = await readForm(c, loginForm);
    const next = safeNext(form.ok ? form.value.next : undefined);
    const now = c.get("clock").now();
    const created = form.ok
      ? await startAdminSession(c.get("redis"), c.get("config"), {
          token: form.value.token,
          userAgent: c.req.header("user-agent") ?? "",
          now,
        })
      : undefined;
    if (!created) return c.html(<LoginPage next={next} failed />, 401);
    // A fresh session every time: a cookie planted before the login is never promoted.
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
