import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { CSP } from "../../lib/content-security.ts";
import { type AppError, PROBLEMS, type ProblemCode } from "../../lib/errors.ts";
import { Layout, Notice } from "./layout.tsx";

/**
 * Errors a dashboard user meets through no fault of the form they sent: too many requests, Redis
 * or the configuration down, a bug. A browser shows problem+json as raw text, so these get a page
 * (same status and headers: Retry-After, RateLimit). Form mistakes keep their own inline errors,
 * and the CSRF and media-type refusals stay problems: no page of ours sends those requests.
 */
const PAGE_ERRORS = new Set<ProblemCode>(["quota_exceeded", "redis_unavailable", "config_invalid", "internal"]);

/** True for a request to a dashboard page whose error should be shown as a page. */
export function isDashboardError(c: Context<AppEnv>, error: AppError): boolean {
  const path = c.req.path;
  return (path === "/admin" || path.startsWith("/admin/")) && PAGE_ERRORS.has(error.code);
}

/** The dashboard's error page for `error`, with its status and headers. */
export function dashboardErrorPage(c: Context<AppEnv>, error: AppError): Response {
  const { status, title } = PROBLEMS[error.code];
  const retryAfter = error.headers?.["retry-after"];
  const page = (
    <Layout title={title}>
      <h1>{title}</h1>
      <Notice kind="error">{error.message}</Notice>
      {retryAfter ? <p>Try again in {retryAfter} s.</p> : null}
      <p>
        <a href={c.req.method === "GET" ? c.req.path : "/admin"}>Try again</a> ·{" "}
        <a href="/admin">Back to the dashboard</a>
      </p>
    </Layout>
  );
  return new Response(`<!doctype html>${page}`, {
    status,
    headers: {
      ...error.headers,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": CSP.dashboard,
      "cache-control": "no-store",
    },
  });
}
