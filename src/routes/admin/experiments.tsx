import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import {
  applyExperimentAction,
  type ExperimentFormState,
  experimentState,
  newExperimentState,
  readExperimentFields,
  statusChangeEffect,
  toExperimentErrors,
  toExperimentInput,
} from "../../lib/dashboard/experiment-form.ts";
import { barList, dailyChart } from "../../lib/dashboard/index.ts";
import { AppError, type FieldError } from "../../lib/errors.ts";
import { deleteExperiment } from "../../lib/experiments/delete-experiment.ts";
import { type ExperimentResults, experimentResults } from "../../lib/experiments/experiment-results.ts";
import { getExperiment } from "../../lib/experiments/get-experiment.ts";
import { listExperiments } from "../../lib/experiments/list-experiments.ts";
import { powerEstimate } from "../../lib/experiments/power.ts";
import { putExperiment } from "../../lib/experiments/put-experiment.ts";
import { EXPERIMENT_KEY, type Experiment, STATUSES, type Status } from "../../lib/experiments/schema.ts";
import { ExperimentEditor } from "./experiment-editor.tsx";
import { ActionButton } from "./fields.tsx";
import { formErrorStatus, formErrorsOf, readForm } from "./form.ts";
import { Layout, Notice, Svg } from "./layout.tsx";
import { NotFoundPage } from "./not-found.tsx";

const percent = (x: number | null, digits = 2) => (x === null ? "–" : `${(x * 100).toFixed(digits)}%`);
const signed = (x: number | null) => (x === null ? "–" : `${x > 0 ? "+" : ""}${(x * 100).toFixed(1)}%`);
/** The interval is of the difference in rates: percentage points, not a relative lift. */
const points = (x: number) => `${x > 0 ? "+" : ""}${(x * 100).toFixed(1)} pp`;
const pValue = (p: number | null) => (p === null ? "–" : p < 0.0001 ? "< 0.0001" : p.toFixed(4));

function ExperimentsPage(props: { experiments: Experiment[] }) {
  return (
    <Layout title="Experiments" section="experiments">
      <h1>Experiments</h1>
      <p>
        <a href="/admin/experiments/new" class="button">
          New experiment
        </a>
      </p>
      <section class="card scroll">
        <table>
          <thead>
            <tr>
              <th>Experiment</th>
              <th>Status</th>
              <th>Variants (weight)</th>
              <th class="hide-sm">Goals</th>
            </tr>
          </thead>
          <tbody>
            {props.experiments.length === 0 ? (
              <tr>
                <td colspan={4} class="muted">
                  No experiments yet: create one with New experiment.
                </td>
              </tr>
            ) : null}
            {props.experiments.map((e) => (
              <tr>
                <td>
                  <a href={`/admin/experiments/${e.key}`}>{e.key}</a>
                </td>
                <td>
                  <span class={`pill status-${e.status}`}>{e.status}</span>
                </td>
                <td>{e.variants.map((v) => `${v.name} (${v.weight})`).join(", ")}</td>
                <td class="hide-sm">{e.goals.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

function ResultsPage(props: {
  results: ExperimentResults;
  editor: ExperimentFormState;
  errors?: FieldError[];
  changedUnsaved?: boolean;
  notice?: string;
}) {
  const { experiment, variants, sampleRatio, daily } = props.results;
  const control = variants[0];
  return (
    <Layout title={experiment.key} section="experiments">
      <p>
        <a href="/admin/experiments">← Experiments</a>
      </p>
      <h1>{experiment.key}</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <StatusControls experiment={experiment} />
      {sampleRatio.flagged ? (
        <Notice kind="warn">
          Sample ratio mismatch: the units per variant differ from the weights more than chance explains (χ²{" "}
          {sampleRatio.chiSquare.toFixed(1)}, p {pValue(sampleRatio.pValue)}). Check assignment and exposure logging
          before trusting these results.
        </Notice>
      ) : null}
      <p class="muted">
        Status {experiment.status}
        {experiment.winner ? `, winner ${experiment.winner}` : ""}; coverage {percent(experiment.coverage, 0)}; units{" "}
        {variants.map((v) => `${v.name} ${v.units}`).join(", ")}; sample ratio p {pValue(sampleRatio.pValue)}.
      </p>
      <section class="card">
        <h2>Exposures per day (new units)</h2>
        {daily.length === 0 ? (
          <p class="muted">No exposures yet.</p>
        ) : (
          <Svg
            markup={dailyChart(
              daily.map((d) => ({ day: d.day, value: d.units })),
              `New units exposed per day in ${experiment.key}`,
              "units",
            )}
          />
        )}
      </section>
      {experiment.goals.map((goal) => {
        const rows = variants.map((v) => ({ variant: v, goal: v.goals[goal] }));
        const top = Math.max(0.0001, ...rows.map((r) => r.goal?.rate ?? 0));
        return (
          <section class="card scroll">
            <h2>Goal: {goal}</h2>
            <Svg
              markup={barList(
                rows.map((r) => ({
                  label: r.variant.name,
                  value: r.goal?.rate ?? 0,
                  text: percent(r.goal?.rate ?? null),
                })),
                `Conversion rate per variant for ${goal}`,
                top,
              )}
            />
            <table>
              <thead>
                <tr>
                  <th>Variant</th>
                  <th class="num">Units</th>
                  <th class="num">Conversions</th>
                  <th class="num">Rate</th>
                  <th class="num">Lift (relative)</th>
                  <th class="num hide-sm">95% CI of the difference</th>
                  <th class="num">p-value</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ variant, goal: g }) => (
                  <tr>
                    <td>
                      {variant.name}
                      {variant.control ? <span class="muted"> (control)</span> : null}
                    </td>
                    <td class="num">{variant.units}</td>
                    <td class="num">{g?.conversions ?? 0}</td>
                    <td class="num">{percent(g?.rate ?? null)}</td>
                    <td class="num">{variant.control ? "–" : signed(g?.relativeLift ?? null)}</td>
                    <td class="num hide-sm">{g?.ci95 ? `${points(g.ci95[0])} … ${points(g.ci95[1])}` : "–"}</td>
                    <td class="num">{variant.control ? "–" : pValue(g?.pValue ?? null)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {daily.length > 0 ? (
              <>
                <h3>Conversions per day</h3>
                <Svg
                  markup={dailyChart(
                    daily.map((d) => ({ day: d.day, value: d.conversions[goal] ?? 0 })),
                    `Conversions per day for ${goal}`,
                    "conversions",
                  )}
                />
              </>
            ) : null}
            <h3>Units still needed</h3>
            <ul data-power={goal}>
              {rows.slice(1).map(({ variant, goal: g }) => {
                const estimate = control
                  ? powerEstimate(
                      { units: control.units, conversions: control.goals[goal]?.conversions ?? 0 },
                      { units: variant.units, conversions: g?.conversions ?? 0 },
                    )
                  : null;
                return (
                  <li>
                    {variant.name} against {control?.name}:{" "}
                    {estimate === null
                      ? "no difference observed yet, nothing to estimate"
                      : estimate.more === 0
                        ? `enough units: ${estimate.perArm} per arm detect this difference with 80% power`
                        : `about ${estimate.more} more units (${estimate.perArm} per arm) for the observed difference to reach significance (α 0.05, 80% power)`}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
      <section class="card">
        <h2>How "units still needed" is estimated</h2>
        <p class="hint">
          The observed rates are taken as the truth: n = (z₀.₉₇₅·√(2p̄(1−p̄)) + z₀.₈·√(p_c(1−p_c) + p_t(1−p_t)))² / (p_t −
          p_c)² units per arm, with p̄ = (p_c + p_t)/2, z₀.₉₇₅ = 1.96, z₀.₈ = 0.84 (a two-sided two-proportion z-test at
          α 0.05 with 80% power). "More" is what each arm lacks of n, summed. A plain estimate: the true lift may be
          smaller, and looking again and again at a running test inflates false positives.
        </p>
      </section>
      <section class="card" id="edit">
        <h2>Edit</h2>
        <ExperimentEditor
          action={`/admin/experiments/${experiment.key}/edit#edit`}
          state={props.editor}
          errors={props.errors}
          changedUnsaved={props.changedUnsaved}
        />
      </section>
      <section class="card">
        <h2>Delete</h2>
        <p class="muted">Deletes the definition, every assignment and every counter (asks for confirmation).</p>
        <ActionButton
          action={`/admin/experiments/${experiment.key}/delete`}
          label={`Delete ${experiment.key}…`}
          kind="danger"
        />
      </section>
      <p class="muted">
        {props.results.method.interval}; {props.results.method.test}; {props.results.method.sampleRatio}.
      </p>
    </Layout>
  );
}

const NEXT: Record<Status, { to: Status; label: string }[]> = {
  draft: [{ to: "running", label: "Start" }],
  running: [
    { to: "paused", label: "Pause" },
    { to: "completed", label: "Complete…" },
  ],
  paused: [
    { to: "running", label: "Resume" },
    { to: "completed", label: "Complete…" },
  ],
  completed: [{ to: "running", label: "Reopen" }],
};

/** The status and its buttons: starting needs no confirmation; pausing and completing ask first. */
function StatusControls(props: { experiment: Experiment }) {
  const { experiment } = props;
  return (
    <section class="card">
      <p>
        Status <span class={`pill status-${experiment.status}`}>{experiment.status}</span>
        {experiment.winner ? ` · winner ${experiment.winner}` : ""}
      </p>
      <div class="actions">
        {NEXT[experiment.status].map((next) => (
          <ActionButton
            action={`/admin/experiments/${experiment.key}/status`}
            label={next.label}
            fields={{ status: next.to, seen: String(experiment.updatedAt) }}
            kind={next.to === "running" ? "primary" : "secondary"}
            data={`status-${next.to}`}
          />
        ))}
      </div>
    </section>
  );
}

function ConfirmStatusPage(props: { experiment: Experiment; to: Status; effect: string; errors?: FieldError[] }) {
  const { experiment, to } = props;
  return (
    <Layout title={`${experiment.key}: ${to}`} section="experiments">
      <h1>
        Set {experiment.key} to {to}?
      </h1>
      <Notice kind="warn">{props.effect}</Notice>
      {props.errors ? (
        <Notice kind="error">
          {props.errors.map((e) => (
            <div>{e.message}</div>
          ))}
        </Notice>
      ) : null}
      <form method="post" action={`/admin/experiments/${experiment.key}/status`}>
        <input type="hidden" name="status" value={to} />
        <input type="hidden" name="confirm" value="yes" />
        <input type="hidden" name="seen" value={String(experiment.updatedAt)} />
        {to === "completed" ? (
          <p>
            <label for="winner">Winner: the variant every unit gets from now on</label>
            <select id="winner" name="winner" style="max-width:20rem">
              {experiment.variants.map((v) => (
                <option value={v.name} selected={v.name === experiment.winner}>
                  {v.name}
                </option>
              ))}
            </select>
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="danger" data-action="confirm">
            Yes, set it to {to}
          </button>
          <a href={`/admin/experiments/${experiment.key}`}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
}

function ConfirmDeletePage(props: { experiment: Experiment }) {
  const { key } = props.experiment;
  return (
    <Layout title={`Delete ${key}`} section="experiments">
      <h1>Delete experiment {key}?</h1>
      <Notice kind="warn">
        Every assignment and every counter of {key} is deleted for good; assignments then answer 404.
      </Notice>
      <div class="actions">
        <ActionButton
          action={`/admin/experiments/${key}/delete`}
          label="Yes, delete it and its data"
          kind="danger"
          fields={{ confirm: "yes" }}
        />
        <a href={`/admin/experiments/${key}`}>Cancel</a>
      </div>
    </Layout>
  );
}

function NewExperimentPage(props: { state: ExperimentFormState; errors?: FieldError[]; changedUnsaved?: boolean }) {
  return (
    <Layout title="New experiment" section="experiments">
      <p>
        <a href="/admin/experiments">← Experiments</a>
      </p>
      <h1>New experiment</h1>
      <section class="card">
        <ExperimentEditor
          action="/admin/experiments/new"
          state={props.state}
          errors={props.errors}
          creating
          changedUnsaved={props.changedUnsaved}
        />
      </section>
    </Layout>
  );
}

const notFound = (c: Context<AppEnv>) => c.html(<NotFoundPage section="experiments" what="experiment" />, 404);
const isNotFound = (error: unknown) => error instanceof AppError && error.code === "not_found";
const editorForm = z.record(z.string().max(64), z.string().max(20_000));

async function readEditor(c: Context<AppEnv>) {
  const form = await readForm(c, editorForm);
  const fields = form.ok ? form.value : {};
  return { state: readExperimentFields(fields), action: fields.action ?? "save" };
}

async function renderResults(
  c: Context<AppEnv>,
  key: string,
  extra: {
    editor?: ExperimentFormState;
    errors?: FieldError[];
    changedUnsaved?: boolean;
    status?: 200 | 409 | 422;
  } = {},
) {
  try {
    const results = await experimentResults(c.get("redis"), c.get("config"), key);
    const notice = { saved: "Experiment saved.", status: "Status changed." }[c.req.query("done") ?? ""];
    return c.html(
      <ResultsPage
        results={results}
        editor={extra.editor ?? experimentState(results.experiment)}
        errors={extra.errors}
        changedUnsaved={extra.changedUnsaved}
        notice={notice}
      />,
      extra.status ?? 200,
    );
  } catch (error) {
    if (isNotFound(error)) return notFound(c);
    throw error;
  }
}

const statusForm = z.object({
  status: z.enum(STATUSES),
  confirm: z.string().max(8).optional(),
  winner: z.string().max(64).optional(),
  seen: z.string().max(20).optional(),
});

/**
 * Experiments: the list; a new experiment; one experiment's results (bars, lift, p-values, SRM,
 * exposures and conversions per day, units still needed) with its status buttons, editor and
 * delete. Writes go through `putExperiment` / `deleteExperiment`, as PUT/DELETE /api/experiments.
 */
export const experimentPages = new Hono<AppEnv>()
  .get("/admin/experiments", async (c) => {
    const experiments = await listExperiments(c.get("redis"), c.get("config"));
    return c.html(<ExperimentsPage experiments={experiments} />);
  })
  .get("/admin/experiments/new", (c) => c.html(<NewExperimentPage state={newExperimentState()} />))
  .post("/admin/experiments/new", async (c) => {
    const { state, action } = await readEditor(c);
    const changed = action === "save" ? undefined : applyExperimentAction(state, action);
    if (changed) return c.html(<NewExperimentPage state={changed} changedUnsaved />);
    const built = toExperimentInput(state);
    if (!built.ok) return c.html(<NewExperimentPage state={state} errors={built.errors} />, 422);
    const redis = c.get("redis");
    const config = c.get("config");
    try {
      if (EXPERIMENT_KEY.test(state.key)) {
        const exists = await getExperiment(redis, config, state.key).then(
          () => true,
          (error: unknown) => {
            if (isNotFound(error)) return false;
            throw error;
          },
        );
        if (exists) {
          const errors = [{ path: "key", message: `an experiment "${state.key}" exists: pick another key` }];
          return c.html(<NewExperimentPage state={state} errors={errors} />, 409);
        }
      }
      await putExperiment(redis, config, c.get("clock").now(), state.key, built.input);
    } catch (error) {
      const errors = toExperimentErrors(formErrorsOf(error), state);
      return c.html(<NewExperimentPage state={state} errors={errors} />, formErrorStatus(error));
    }
    return c.redirect(`/admin/experiments/${state.key}?done=saved`, 303);
  })
  .post("/admin/experiments/:key/edit", async (c) => {
    const key = c.req.param("key");
    if (!EXPERIMENT_KEY.test(key)) return notFound(c);
    const { state: posted, action } = await readEditor(c);
    const redis = c.get("redis");
    const config = c.get("config");
    try {
      // Status and winner are changed by the status buttons only: the stored ones are kept.
      const current = await getExperiment(redis, config, key);
      const state = { ...posted, key, status: current.status, winner: current.winner ?? "" };
      const changed = action === "save" ? undefined : applyExperimentAction(state, action);
      if (changed) return renderResults(c, key, { editor: changed, changedUnsaved: true });
      const built = toExperimentInput(state);
      if (!built.ok) return renderResults(c, key, { editor: state, errors: built.errors, status: 422 });
      try {
        await putExperiment(redis, config, c.get("clock").now(), key, built.input);
      } catch (error) {
        const errors = toExperimentErrors(formErrorsOf(error), state);
        return renderResults(c, key, { editor: state, errors, status: formErrorStatus(error) });
      }
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      throw error;
    }
    return c.redirect(`/admin/experiments/${key}?done=saved`, 303);
  })
  .post("/admin/experiments/:key/status", async (c) => {
    const key = c.req.param("key");
    if (!EXPERIMENT_KEY.test(key)) return notFound(c);
    const form = await readForm(c, statusForm);
    if (!form.ok) return renderResults(c, key, { errors: form.errors, status: 422 });
    const { status, confirm, winner } = form.value;
    const redis = c.get("redis");
    const config = c.get("config");
    try {
      const current = await getExperiment(redis, config, key);
      const effect = statusChangeEffect(current.status, status);
      if (effect && confirm !== "yes")
        return c.html(<ConfirmStatusPage experiment={current} to={status} effect={effect} />);
      if (form.value.seen !== undefined && form.value.seen !== String(current.updatedAt)) {
        const errors = [{ path: "", message: "The experiment was changed meanwhile: check it and try again." }];
        return c.html(
          <ConfirmStatusPage experiment={current} to={status} effect={effect ?? ""} errors={errors} />,
          409,
        );
      }
      const { key: _key, createdAt: _c, updatedAt: _u, winner: oldWinner, ...definition } = current;
      const chosen = status === "completed" ? winner || oldWinner : undefined;
      try {
        await putExperiment(redis, config, c.get("clock").now(), key, {
          ...definition,
          status,
          ...(chosen ? { winner: chosen } : {}),
        });
      } catch (error) {
        const errors = formErrorsOf(error);
        return c.html(
          <ConfirmStatusPage experiment={current} to={status} effect={effect ?? ""} errors={errors} />,
          formErrorStatus(error),
        );
      }
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      throw error;
    }
    return c.redirect(`/admin/experiments/${key}?done=status`, 303);
  })
  .post("/admin/experiments/:key/delete", async (c) => {
    const key = c.req.param("key");
    if (!EXPERIMENT_KEY.test(key)) return notFound(c);
    const form = await readForm(c, z.object({ confirm: z.string().max(8).optional() }));
    const redis = c.get("redis");
    const config = c.get("config");
    try {
      if (!form.ok || form.value.confirm !== "yes") {
        return c.html(<ConfirmDeletePage experiment={await getExperiment(redis, config, key)} />);
      }
      await deleteExperiment(redis, config, key);
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      throw error;
    }
    return c.redirect("/admin/experiments", 303);
  })
  .get("/admin/experiments/:key", (c) => {
    const key = c.req.param("key");
    if (!EXPERIMENT_KEY.test(key)) return notFound(c);
    return renderResults(c, key);
  });
