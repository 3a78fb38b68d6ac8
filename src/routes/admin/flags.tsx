import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { editFlag, type FlagEdit } from "../../lib/dashboard/index.ts";
import { AppError, type FieldError } from "../../lib/errors.ts";
import type { Evaluation } from "../../lib/flags/evaluate.ts";
import { evaluateFlag } from "../../lib/flags/evaluate-flags.ts";
import { flagHistory, type HistoryEntry } from "../../lib/flags/flag-history.ts";
import { getFlag } from "../../lib/flags/get-flag.ts";
import { listFlags } from "../../lib/flags/list-flags.ts";
import { FLAG_KEY, type Flag } from "../../lib/flags/schema.ts";
import { actorOf } from "../../middleware/authorize.ts";
import { describeErrors, formErrorStatus, formErrorsOf, readForm } from "./form.ts";
import { Layout, Notice } from "./layout.tsx";
import { NotFoundPage } from "./not-found.tsx";

const HISTORY_SHOWN = 20;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const show = (value: unknown) => JSON.stringify(value) ?? "";

/** Where a form sends the browser back to: the list, or the flag's own page. */
const back = z.enum(["list", "flag"]).default("list");
const toggleForm = z.object({ enabled: z.enum(["true", "false"]), seen: z.coerce.number().int(), back });
const rolloutForm = z.object({
  percentage: z.coerce.number().min(0).max(100),
  variant: z.string().max(64),
  seen: z.coerce.number().int(),
  back,
});

function ToggleForm(props: { flag: Flag; back: "list" | "flag" }) {
  const { flag } = props;
  return (
    <form method="post" action={`/admin/flags/${flag.key}/enabled`} class="inline">
      <input type="hidden" name="enabled" value={String(!flag.enabled)} />
      <input type="hidden" name="back" value={props.back} />
      <input type="hidden" name="seen" value={String(flag.updatedAt)} />
      <span class={`pill ${flag.enabled ? "on" : "off"}`}>{flag.enabled ? "on" : "off"}</span>
      <button type="submit" class={flag.enabled ? "danger" : ""} data-toggle={flag.key}>
        {flag.enabled ? "Kill" : "Enable"}
      </button>
    </form>
  );
}

function RolloutForm(props: { flag: Flag; back: "list" | "flag" }) {
  const { flag } = props;
  const variants = Object.keys(flag.variants);
  const chosen = flag.rollout?.variant ?? variants.find((v) => v !== flag.defaultVariant) ?? flag.defaultVariant;
  return (
    <form method="post" action={`/admin/flags/${flag.key}/rollout`} class="inline">
      <input type="hidden" name="seen" value={String(flag.updatedAt)} />
      <input type="hidden" name="back" value={props.back} />
      <input
        name="percentage"
        type="number"
        min="0"
        max="100"
        step="0.01"
        required
        aria-label={`Rollout percentage of ${flag.key}`}
        value={String(flag.rollout?.percentage ?? 0)}
      />
      %
      <select name="variant" aria-label="Variant rolled out" style="width:auto">
        {variants.map((v) => (
          <option value={v} selected={v === chosen}>
            {v}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">
        Save
      </button>
    </form>
  );
}

function FlagsPage(props: { flags: Flag[]; unreadable: { key: string; details: string }[]; errors?: FieldError[] }) {
  return (
    <Layout title="Flags" section="flags">
      <h1>Feature flags</h1>
      {props.errors ? <Notice kind="error">{describeErrors(props.errors).join("; ")}</Notice> : null}
      {props.unreadable.map((u) => (
        <Notice kind="warn">
          {u.key}: {u.details}
        </Notice>
      ))}
      <section class="card scroll">
        <table>
          <thead>
            <tr>
              <th>Flag</th>
              <th>State</th>
              <th>Rollout</th>
              <th class="hide-sm">Default</th>
              <th class="hide-sm">Updated</th>
            </tr>
          </thead>
          <tbody>
            {props.flags.length === 0 ? (
              <tr>
                <td colspan={5} class="muted">
                  {"No flags yet: create them with PUT /api/flags/{key}."}
                </td>
              </tr>
            ) : null}
            {props.flags.map((flag) => (
              <tr data-flag={flag.key}>
                <td>
                  <a href={`/admin/flags/${flag.key}`}>{flag.key}</a>
                  <div class="muted">{flag.description}</div>
                </td>
                <td>
                  <ToggleForm flag={flag} back="list" />
                </td>
                <td>
                  <RolloutForm flag={flag} back="list" />
                </td>
                <td class="hide-sm">{flag.defaultVariant}</td>
                <td class="hide-sm muted">{iso(flag.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

/** What changed in one audit entry, in a few words per field. */
function changes(entry: HistoryEntry): string[] {
  const { before, after } = entry;
  if (!before) return ["created"];
  if (!after) return ["deleted"];
  const out: string[] = [];
  for (const field of [
    "enabled",
    "rollout",
    "defaultVariant",
    "variants",
    "allow",
    "deny",
    "rules",
    "description",
  ] as const) {
    if (show(before[field]) !== show(after[field])) {
      out.push(`${field}: ${show(before[field]) || "none"} → ${show(after[field]) || "none"}`);
    }
  }
  return out.length > 0 ? out : ["no change"];
}

function EvaluationResult(props: { evaluation: Evaluation }) {
  const e = props.evaluation;
  if ("errorCode" in e) return <Notice kind="error">{`${e.errorCode}: ${e.errorDetails}`}</Notice>;
  return (
    <p data-evaluation>
      value <code>{show(e.value)}</code>, variant <code>{e.variant}</code>, reason <code>{e.reason}</code>
    </p>
  );
}

function FlagPage(props: { flag: Flag; history: HistoryEntry[]; targetingKey: string; evaluation: Evaluation }) {
  const { flag } = props;
  return (
    <Layout title={flag.key} section="flags">
      <p>
        <a href="/admin/flags">← Flags</a>
      </p>
      <h1>{flag.key}</h1>
      <section class="card">
        <p>{flag.description}</p>
        <p>
          <ToggleForm flag={flag} back="flag" />
        </p>
        <p>
          Rollout: <RolloutForm flag={flag} back="flag" />
        </p>
        <p class="muted">
          {flag.type} flag; variants {Object.keys(flag.variants).join(", ")}; default {flag.defaultVariant};{" "}
          {flag.allow.length} allowed, {flag.deny.length} denied, {flag.rules.length} rules.
        </p>
      </section>
      <section class="card">
        <h2>Try an evaluation</h2>
        <form method="get" class="inline">
          <input name="targetingKey" maxlength={256} value={props.targetingKey} aria-label="Targeting key" />
          <button type="submit" class="secondary">
            Evaluate
          </button>
        </form>
        <EvaluationResult evaluation={props.evaluation} />
      </section>
      <section class="card scroll">
        <h2>History</h2>
        <table>
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Who</th>
              <th>What changed</th>
            </tr>
          </thead>
          <tbody>
            {props.history.map((entry) => (
              <tr>
                <td>{iso(entry.at)}</td>
                <td>{entry.actor}</td>
                <td>
                  {changes(entry).map((line) => (
                    <div>{line}</div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

async function renderList(c: Context<AppEnv>, errors?: FieldError[], status: 200 | 409 | 422 = 200) {
  const list = await listFlags(c.get("redis"), c.get("config"));
  return c.html(<FlagsPage flags={list.flags} unreadable={list.unreadable} errors={errors} />, status);
}

/** Runs one edit from a form, then back to where the form was (the list or the flag's page). */
async function edit(
  c: Context<AppEnv>,
  key: string,
  toEdit: (form: Record<string, unknown>) => FlagEdit,
  schema: z.ZodType,
) {
  if (!FLAG_KEY.test(key)) return c.html(<NotFoundPage section="flags" what="flag" />, 404);
  const form = await readForm(c, schema);
  if (!form.ok) return renderList(c, form.errors, 422);
  const values = form.value as Record<string, unknown> & { seen: number; back: "list" | "flag" };
  try {
    await editFlag(c.get("redis"), c.get("config"), c.get("clock").now(), key, values.seen, toEdit(values), actorOf(c));
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      return c.html(<NotFoundPage section="flags" what="flag" />, 404);
    }
    return renderList(c, formErrorsOf(error), formErrorStatus(error));
  }
  return c.redirect(values.back === "flag" ? `/admin/flags/${key}` : "/admin/flags", 303);
}

/** Flags: the list with kill switches and rollout editors, and one flag's page with its history. */
export const flagPages = new Hono<AppEnv>()
  .get("/admin/flags", (c) => renderList(c))
  .post("/admin/flags/:key/enabled", (c) =>
    edit(c, c.req.param("key"), (form) => ({ enabled: form.enabled === "true" }), toggleForm),
  )
  .post("/admin/flags/:key/rollout", (c) =>
    edit(
      c,
      c.req.param("key"),
      (form) => ({ rollout: { percentage: form.percentage as number, variant: form.variant as string } }),
      rolloutForm,
    ),
  )
  .get("/admin/flags/:key", async (c) => {
    const key = c.req.param("key");
    if (!FLAG_KEY.test(key)) return c.html(<NotFoundPage section="flags" what="flag" />, 404);
    const targetingKey = (c.req.query("targetingKey") ?? "visitor-1").slice(0, 256) || "visitor-1";
    const redis = c.get("redis");
    const config = c.get("config");
    const now = c.get("clock").now();
    try {
      const [flag, history, evaluation] = await Promise.all([
        getFlag(redis, config, key),
        flagHistory(redis, config, key, HISTORY_SHOWN),
        evaluateFlag(redis, config, now, key, { targetingKey }),
      ]);
      return c.html(<FlagPage flag={flag} history={history} targetingKey={targetingKey} evaluation={evaluation} />);
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found") {
        return c.html(<NotFoundPage section="flags" what="flag" />, 404);
      }
      throw error;
    }
  });
