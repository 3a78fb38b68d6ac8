import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import type { FieldError } from "../../lib/errors.ts";
import {
  destroyUserSession,
  destroyUserSessions,
  listUserSessions,
  type SessionSummary,
  userIdProblem,
} from "../../lib/sessions/index.ts";
import { ActionButton, ErrorSummary, Field } from "./fields.tsx";
import { formErrorsOf, readForm } from "./form.ts";
import { Layout, Notice } from "./layout.tsx";

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function SessionsPage(props: { userId: string; sessions?: SessionSummary[]; errors?: FieldError[]; done?: string }) {
  const { userId, sessions } = props;
  const back = `/admin/sessions?userId=${encodeURIComponent(userId)}`;
  return (
    <Layout title="Sessions" section="sessions">
      <h1>Sessions</h1>
      {props.done ? <Notice kind="ok">{props.done}</Notice> : null}
      <section class="card">
        <h2>Look up a user</h2>
        <ErrorSummary errors={props.errors} title="Cannot look that up:" shown={(name) => name === "userId"} />
        <form method="get" action="/admin/sessions" class="fields">
          <Field
            name="userId"
            label="User id (as your app passed it to POST /api/sessions)"
            value={userId}
            errors={props.errors}
            required
            attrs={{ maxlength: 128, autocomplete: "off" }}
          />
          <div>
            <button type="submit" class="secondary">
              Show live sessions
            </button>
          </div>
        </form>
      </section>
      {sessions ? (
        <section class="card scroll" data-sessions={String(sessions.length)}>
          <h2>
            {sessions.length} live session{sessions.length === 1 ? "" : "s"} of {userId}
          </h2>
          {sessions.length > 0 ? (
            <>
              <table>
                <thead>
                  <tr>
                    <th>Session (handle)</th>
                    <th class="hide-sm">Device</th>
                    <th>Last seen (UTC)</th>
                    <th class="hide-sm">Ends (UTC)</th>
                    <th>
                      <span class="sr-only">Revoke</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sessions.map((s) => (
                    <tr data-handle={s.handle}>
                      <td>
                        <code>{s.handle.slice(0, 10)}…</code>
                        <div class="muted">created {iso(s.createdAt)}</div>
                      </td>
                      <td class="hide-sm url" title={s.userAgent}>
                        {s.userAgent || "–"}
                      </td>
                      <td>{iso(s.lastSeenAt)}</td>
                      <td class="hide-sm">{iso(Math.min(s.expiresAt, s.idleExpiresAt))}</td>
                      <td>
                        <ActionButton
                          action="/admin/sessions/revoke"
                          label="Revoke"
                          ariaLabel={`Revoke session ${s.handle.slice(0, 10)} (${s.userAgent || "unknown device"})`}
                          kind="danger"
                          fields={{ userId, handle: s.handle }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div class="actions">
                <ActionButton
                  action="/admin/sessions/revoke-all"
                  label={`Revoke all ${sessions.length} (log out everywhere)`}
                  kind="danger"
                  fields={{ userId }}
                  data="revoke-all"
                />
              </div>
            </>
          ) : (
            <p class="muted">No live sessions.</p>
          )}
          <p class="hint">
            A revoked session ends at once: its next request has no session. <a href={back}>Refresh</a>
          </p>
        </section>
      ) : null}
    </Layout>
  );
}

const userForm = z.object({ userId: z.string().max(256), handle: z.string().max(64).optional() });

function checkUser(userId: string): FieldError[] | undefined {
  const problem = userIdProblem(userId);
  return problem ? [{ path: "userId", message: problem }] : undefined;
}

async function render(c: Context<AppEnv>, userId: string, extra: { errors?: FieldError[]; done?: string } = {}) {
  const errors = extra.errors ?? (userId ? checkUser(userId) : undefined);
  const sessions =
    userId && !errors
      ? await listUserSessions(c.get("redis"), c.get("config"), { userId, now: c.get("clock").now() })
      : undefined;
  return c.html(
    <SessionsPage userId={userId} sessions={sessions} errors={errors} done={extra.done} />,
    errors ? 422 : 200,
  );
}

/**
 * Sessions: a user's live sessions (GET /api/users/{userId}/sessions), revoke one, or all of them
 * (DELETE /api/users/{userId}/sessions), through the same lib functions.
 */
export const sessionPages = new Hono<AppEnv>()
  .get("/admin/sessions", (c) => render(c, (c.req.query("userId") ?? "").slice(0, 256)))
  .post("/admin/sessions/revoke", async (c) => {
    const form = await readForm(c, userForm);
    const userId = form.ok ? form.value.userId : "";
    const errors = form.ok ? checkUser(userId) : form.errors;
    if (errors) return render(c, userId, { errors });
    try {
      const ended = await destroyUserSession(c.get("redis"), c.get("config"), {
        userId,
        handle: form.ok ? (form.value.handle ?? "") : "",
        now: c.get("clock").now(),
      });
      return render(c, userId, { done: ended ? "Session revoked." : "That session had already ended." });
    } catch (error) {
      return render(c, userId, { errors: formErrorsOf(error) });
    }
  })
  .post("/admin/sessions/revoke-all", async (c) => {
    const form = await readForm(c, userForm);
    const userId = form.ok ? form.value.userId : "";
    const errors = form.ok ? checkUser(userId) : form.errors;
    if (errors) return render(c, userId, { errors });
    const revoked = await destroyUserSessions(c.get("redis"), c.get("config"), { userId });
    return render(c, userId, { done: `${revoked} session${revoked === 1 ? "" : "s"} revoked.` });
  });
