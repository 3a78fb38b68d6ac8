import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { flagChanges } from "../../lib/dashboard/flag-diff.ts";
import {
  applyFlagAction,
  type FlagFormState,
  flagState,
  newFlagState,
  readFlagFields,
  toFlagInput,
  toFormErrors,
} from "../../lib/dashboard/flag-form.ts";
import { editFlag, type FlagEdit } from "../../lib/dashboard/index.ts";
import { AppError, type FieldError } from "../../lib/errors.ts";
import { deleteFlag } from "../../lib/flags/delete-flag.ts";
import type { Evaluation } from "../../lib/flags/evaluate.ts";
import { evaluateFlag } from "../../lib/flags/evaluate-flags.ts";
import { flagHistory, type HistoryEntry } from "../../lib/flags/flag-history.ts";
import { getFlag } from "../../lib/flags/get-flag.ts";
import { listFlags } from "../../lib/flags/list-flags.ts";
import { putFlag } from "../../lib/flags/put-flag.ts";
import { FLAG_KEY, type Flag } from "../../lib/flags/schema.ts";
import { actorOf } from "../../middleware/authorize.ts";
import { ActionButton } from "./fields.tsx";
import { FlagEditor } from "./flag-editor.tsx";
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
      <p>
        <a href="/admin/flags/new" class="button">
          New flag
        </a>
      </p>
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
                  No flags yet: create one with New flag (or PUT /api/flags/{"{key}"}).
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

function EvaluationResult(props: { evaluation: Evaluation }) {
  const e = props.evaluation;
  if ("errorCode" in e) return <Notice kind="error">{`${e.errorCode}: ${e.errorDetails}`}</Notice>;
  return (
    <p data-evaluation aria-live="polite">
      value <code>{show(e.value)}</code>, variant <code>{e.variant}</code>, reason <code>{e.reason}</code>
    </p>
  );
}

/** The "Try an evaluation" context as typed: a targeting key and attributes (lines or a JSON object). */
interface TryContext {
  targetingKey: string;
  attributes: string;
}

/**
 * Attributes as typed: a JSON object, or one `name=value` a line where the value is read as JSON
 * when it is (42, true, "x") and as text otherwise. An error says what is wrong, for the page.
 */
function contextOf(input: TryContext): { context: Record<string, unknown> } | { error: string } {
  const context: Record<string, unknown> = {};
  const text = input.attributes.trim();
  if (text.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { error: "use a JSON object" };
      Object.assign(context, parsed);
    } catch {
      return { error: "that is not valid JSON" };
    }
  } else {
    for (const [n, line] of text.split(/\r?\n/).entries()) {
      if (line.trim() === "") continue;
      const eq = line.indexOf("=");
      if (eq < 1) return { error: `line ${n + 1}: write name=value` };
      const raw = line.slice(eq + 1).trim();
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // plain text
      }
      context[line.slice(0, eq).trim()] = value;
    }
  }
  if (input.targetingKey !== "") context.targetingKey = input.targetingKey;
  return { context };
}

function FlagPage(props: {
  flag: Flag;
  history: HistoryEntry[];
  tryContext: TryContext;
  evaluation: Evaluation | { contextError: string };
  editor: FlagFormState;
  errors?: FieldError[];
  changedUnsaved?: boolean;
  saved?: boolean;
}) {
  const { flag } = props;
  return (
    <Layout title={flag.key} section="flags">
      <p>
        <a href="/admin/flags">← Flags</a>
      </p>
      <h1>{flag.key}</h1>
      {props.saved ? <Notice kind="ok">Flag saved.</Notice> : null}
      <section class="card">
        <p>{flag.description}</p>
        <p>
          <ToggleForm flag={flag} back="flag" />
        </p>
        <p class="muted">
          {flag.type} flag; variants {Object.keys(flag.variants).join(", ")}; default {flag.defaultVariant};{" "}
          {flag.rollout ? `${flag.rollout.percentage}% get ${flag.rollout.variant}; ` : ""}
          {flag.allow.length} allowed, {flag.deny.length} denied, {flag.rules.length} rules.
        </p>
      </section>
      <section class="card" id="try">
        <h2>Try an evaluation</h2>
        <form method="get" action={`/admin/flags/${flag.key}#try`} class="fields">
          <div>
            <label for="try-key">Targeting key</label>
            <input id="try-key" name="targetingKey" maxlength={256} value={props.tryContext.targetingKey} />
          </div>
          <div>
            <label for="try-attributes">Attributes: name=value, one a line (or a JSON object)</label>
            <textarea id="try-attributes" name="attributes" rows={3}>
              {props.tryContext.attributes}
            </textarea>
          </div>
          <div>
            <button type="submit" class="secondary">
              Evaluate
            </button>
          </div>
        </form>
        {"contextError" in props.evaluation ? (
          <Notice kind="error">Attributes: {props.evaluation.contextError}</Notice>
        ) : (
          <EvaluationResult evaluation={props.evaluation} />
        )}
        <p class="hint">
          Reasons: DISABLED (flag off), TARGETING_MATCH (deny or allow list, or a rule), SPLIT (the rollout), DEFAULT
          (nothing matched), STATIC (no targeting at all), TARGETING_KEY_MISSING.
        </p>
      </section>
      <section class="card" id="edit">
        <h2>Edit</h2>
        <FlagEditor
          action={`/admin/flags/${flag.key}/edit#edit`}
          state={props.editor}
          errors={props.errors}
          seen={flag.updatedAt}
          changedUnsaved={props.changedUnsaved}
        />
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
                  {flagChanges(entry.before, entry.after).map((line) => (
                    <div>{line}</div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Delete</h2>
        <p class="muted">Deleting asks for confirmation. The history stays.</p>
        <ActionButton action={`/admin/flags/${flag.key}/delete`} label={`Delete ${flag.key}…`} kind="danger" />
      </section>
    </Layout>
  );
}

function NewFlagPage(props: { state: FlagFormState; errors?: FieldError[]; changedUnsaved?: boolean }) {
  return (
    <Layout title="New flag" section="flags">
      <p>
        <a href="/admin/flags">← Flags</a>
      </p>
      <h1>New flag</h1>
      <section class="card">
        <FlagEditor
          action="/admin/flags/new"
          state={props.state}
          errors={props.errors}
          creating
          changedUnsaved={props.changedUnsaved}
        />
      </section>
    </Layout>
  );
}

function ConfirmDeletePage(props: { flag: Flag }) {
  return (
    <Layout title={`Delete ${props.flag.key}`} section="flags">
      <h1>Delete flag {props.flag.key}?</h1>
      <Notice kind="warn">
        Every evaluation of {props.flag.key} will answer FLAG_NOT_FOUND and clients fall back to their own default. Its
        history stays readable.
      </Notice>
      <div class="actions">
        <ActionButton
          action={`/admin/flags/${props.flag.key}/delete`}
          label="Yes, delete it"
          kind="danger"
          fields={{ confirm: "yes" }}
        />
        <a href={`/admin/flags/${props.flag.key}`}>Cancel</a>
      </div>
    </Layout>
  );
}

async function renderList(c: Context<AppEnv>, errors?: FieldError[], status: 200 | 409 | 422 = 200) {
  const list = await listFlags(c.get("redis"), c.get("config"));
  return c.html(<FlagsPage flags={list.flags} unreadable={list.unreadable} errors={errors} />, status);
}

const notFound = (c: Context<AppEnv>) => c.html(<NotFoundPage section="flags" what="flag" />, 404);
const isNotFound = (error: unknown) => error instanceof AppError && error.code === "not_found";

/** Runs one edit from a form, then back to where the form was (the list or the flag's page). */
async function edit(
  c: Context<AppEnv>,
  key: string,
  toEdit: (form: Record<string, unknown>) => FlagEdit,
  schema: z.ZodType,
) {
  if (!FLAG_KEY.test(key)) return notFound(c);
  const form = await readForm(c, schema);
  if (!form.ok) return renderList(c, form.errors, 422);
  const values = form.value as Record<string, unknown> & { seen: number; back: "list" | "flag" };
  try {
    await editFlag(c.get("redis"), c.get("config"), c.get("clock").now(), key, values.seen, toEdit(values), actorOf(c));
  } catch (error) {
    if (isNotFound(error)) return notFound(c);
    return renderList(c, formErrorsOf(error), formErrorStatus(error));
  }
  return c.redirect(values.back === "flag" ? `/admin/flags/${key}` : "/admin/flags", 303);
}

/** Every posted field of the editor (names are checked by readFlagFields, values bounded here). */
const editorForm = z.record(z.string().max(64), z.string().max(3_000_000));

/** The editor's post: its state, the button pressed, and (on a flag's page) the version it showed. */
async function readEditor(c: Context<AppEnv>) {
  const form = await readForm(c, editorForm);
  const fields = form.ok ? form.value : {};
  const state = readFlagFields(fields);
  const action = fields.action ?? "save";
  return { state, action, seen: Number(fields.seen) };
}

async function renderFlag(
  c: Context<AppEnv>,
  key: string,
  extra: { editor?: FlagFormState; errors?: FieldError[]; changedUnsaved?: boolean; status?: 200 | 409 | 422 } = {},
) {
  const redis = c.get("redis");
  const config = c.get("config");
  const now = c.get("clock").now();
  const tryContext = {
    targetingKey: (c.req.query("targetingKey") ?? "visitor-1").slice(0, 256),
    attributes: (c.req.query("attributes") ?? "").slice(0, 10_000),
  };
  const context = contextOf(tryContext);
  try {
    const [flag, history, evaluation] = await Promise.all([
      getFlag(redis, config, key),
      flagHistory(redis, config, key, HISTORY_SHOWN),
      "error" in context ? { contextError: context.error } : evaluateFlag(redis, config, now, key, context.context),
    ]);
    return c.html(
      <FlagPage
        flag={flag}
        history={history}
        tryContext={tryContext}
        evaluation={evaluation}
        editor={extra.editor ?? flagState(flag)}
        errors={extra.errors}
        changedUnsaved={extra.changedUnsaved}
        saved={c.req.query("saved") === "1"}
      />,
      extra.status ?? 200,
    );
  } catch (error) {
    if (isNotFound(error)) return notFound(c);
    throw error;
  }
}

/**
 * Flags: the list with kill switches and rollout editors; a new flag; one flag's page with "try an
 * evaluation", the whole-flag editor, its history (a readable diff per change) and delete.
 * Writes go through the same lib functions as PUT/DELETE /api/flags/{key}, as the dashboard actor.
 */
export const flagPages = new Hono<AppEnv>()
  .get("/admin/flags", (c) => renderList(c))
  .get("/admin/flags/new", (c) => c.html(<NewFlagPage state={newFlagState()} />))
  .post("/admin/flags/new", async (c) => {
    const { state, action } = await readEditor(c);
    const changed = action === "save" ? undefined : applyFlagAction(state, action);
    if (changed) return c.html(<NewFlagPage state={changed} changedUnsaved />);
    const built = toFlagInput(state);
    if (!built.ok) return c.html(<NewFlagPage state={state} errors={built.errors} />, 422);
    const redis = c.get("redis");
    const config = c.get("config");
    if (FLAG_KEY.test(state.key)) {
      const existing = await getFlag(redis, config, state.key).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (existing) {
        const errors = [{ path: "key", message: `a flag "${state.key}" exists: pick another key or edit that one` }];
        return c.html(<NewFlagPage state={state} errors={errors} />, 409);
      }
    }
    try {
      await putFlag(redis, config, c.get("clock").now(), state.key, built.input, actorOf(c));
    } catch (error) {
      const errors = toFormErrors(formErrorsOf(error), state);
      return c.html(<NewFlagPage state={state} errors={errors} />, formErrorStatus(error));
    }
    return c.redirect(`/admin/flags/${state.key}?saved=1`, 303);
  })
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
  .post("/admin/flags/:key/edit", async (c) => {
    const key = c.req.param("key");
    if (!FLAG_KEY.test(key)) return notFound(c);
    const { state: posted, action, seen } = await readEditor(c);
    const state = { ...posted, key };
    const changed = action === "save" ? undefined : applyFlagAction(state, action);
    if (changed) return renderFlag(c, key, { editor: changed, changedUnsaved: true });
    const built = toFlagInput(state);
    if (!built.ok) return renderFlag(c, key, { editor: state, errors: built.errors, status: 422 });
    try {
      await putFlag(
        c.get("redis"),
        c.get("config"),
        c.get("clock").now(),
        key,
        built.input,
        actorOf(c),
        Number.isInteger(seen) ? seen : -1,
      );
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      const errors = toFormErrors(formErrorsOf(error), state);
      return renderFlag(c, key, { editor: state, errors, status: formErrorStatus(error) });
    }
    return c.redirect(`/admin/flags/${key}?saved=1`, 303);
  })
  .post("/admin/flags/:key/delete", async (c) => {
    const key = c.req.param("key");
    if (!FLAG_KEY.test(key)) return notFound(c);
    const form = await readForm(c, z.object({ confirm: z.string().max(8).optional() }));
    const redis = c.get("redis");
    const config = c.get("config");
    try {
      if (!form.ok || form.value.confirm !== "yes") {
        return c.html(<ConfirmDeletePage flag={await getFlag(redis, config, key)} />);
      }
      await deleteFlag(redis, config, c.get("clock").now(), key, actorOf(c));
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      throw error;
    }
    return c.redirect("/admin/flags", 303);
  })
  .get("/admin/flags/:key", (c) => {
    const key = c.req.param("key");
    if (!FLAG_KEY.test(key)) return notFound(c);
    return renderFlag(c, key);
  });
