import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import type { FieldError } from "../../lib/errors.ts";
import { getQuota, identifierSchema, type PolicyQuota, resetQuota } from "../../lib/ratelimit/index.ts";
import { ActionButton, ErrorSummary, Field } from "./fields.tsx";
import { readForm } from "./form.ts";
import { Layout, Notice } from "./layout.tsx";

function RateLimitsPage(props: { identifier: string; quota?: PolicyQuota[]; errors?: FieldError[]; done?: string }) {
  return (
    <Layout title="Rate limits" section="ratelimits">
      <h1>Rate limits</h1>
      {props.done ? <Notice kind="ok">{props.done}</Notice> : null}
      <section class="card">
        <h2>Look up a client</h2>
        <ErrorSummary errors={props.errors} title="Cannot look that up:" />
        <form method="get" action="/admin/ratelimits" class="fields">
          <Field
            name="identifier"
            label="Identifier: admin, user:<id> or ip:<address>"
            value={props.identifier}
            errors={props.errors}
            required
            attrs={{ maxlength: 160, autocomplete: "off" }}
            hint="IPv6 as its /64, e.g. ip:2001:db8:0:1::/64. Looking up spends nothing."
          />
          <div>
            <button type="submit" class="secondary">
              Show quota
            </button>
          </div>
        </form>
      </section>
      {props.quota ? (
        <section class="card scroll">
          <h2>Quota of {props.identifier} under every policy</h2>
          <table>
            <thead>
              <tr>
                <th>Policy</th>
                <th class="hide-sm">Algorithm</th>
                <th class="num">Remaining</th>
                <th class="num">Limit</th>
                <th class="num">Window (s)</th>
                <th class="num">Resets in (s)</th>
              </tr>
            </thead>
            <tbody>
              {props.quota.map((q) => (
                <tr data-policy={q.policy}>
                  <td>{q.policy}</td>
                  <td class="hide-sm">{q.algorithm}</td>
                  <td class="num" data-remaining>
                    {q.remaining}
                  </td>
                  <td class="num">{q.limit}</td>
                  <td class="num">{q.window}</td>
                  <td class="num">{q.reset}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions">
            <ActionButton
              action="/admin/ratelimits/reset"
              label="Reset: give the full quota back under every policy"
              kind="danger"
              fields={{ identifier: props.identifier }}
            />
          </div>
          <p class="hint">Other isolates may keep a cached block for up to one window after a reset.</p>
        </section>
      ) : null}
    </Layout>
  );
}

function check(identifier: string): FieldError[] | undefined {
  const parsed = identifierSchema.safeParse(identifier);
  return parsed.success ? undefined : parsed.error.issues.map((i) => ({ path: "identifier", message: i.message }));
}

async function render(c: Context<AppEnv>, identifier: string, extra: { errors?: FieldError[]; done?: string } = {}) {
  const errors = extra.errors ?? (identifier ? check(identifier) : undefined);
  const quota =
    identifier && !errors
      ? await getQuota(c.get("redis"), c.get("config"), identifier, c.get("clock").now())
      : undefined;
  return c.html(
    <RateLimitsPage identifier={identifier} quota={quota} errors={errors} done={extra.done} />,
    errors ? 422 : 200,
  );
}

/** Rate limits: an identifier's quota under every policy (GET /api/ratelimit/{id}) and its reset (DELETE). */
export const rateLimitPages = new Hono<AppEnv>()
  .get("/admin/ratelimits", (c) => render(c, (c.req.query("identifier") ?? "").trim().slice(0, 200)))
  .post("/admin/ratelimits/reset", async (c) => {
    const form = await readForm(c, z.object({ identifier: z.string().max(200) }));
    const identifier = form.ok ? form.value.identifier.trim() : "";
    const errors = form.ok ? check(identifier) : form.errors;
    if (errors) return render(c, identifier, { errors });
    await resetQuota(c.get("redis"), c.get("config"), identifier, c.get("clock").now());
    return render(c, identifier, { done: `${identifier} has its full quota back.` });
  });
