import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { barList } from "../../lib/dashboard/index.ts";
import { AppError } from "../../lib/errors.ts";
import { type ExperimentResults, experimentResults } from "../../lib/experiments/experiment-results.ts";
import { listExperiments } from "../../lib/experiments/list-experiments.ts";
import { EXPERIMENT_KEY, type Experiment } from "../../lib/experiments/schema.ts";
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
                  {"No experiments yet: create them with PUT /api/experiments/{key}."}
                </td>
              </tr>
            ) : null}
            {props.experiments.map((e) => (
              <tr>
                <td>
                  <a href={`/admin/experiments/${e.key}`}>{e.key}</a>
                </td>
                <td>{e.status}</td>
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

function ResultsPage(props: { results: ExperimentResults }) {
  const { experiment, variants, sampleRatio } = props.results;
  return (
    <Layout title={experiment.key} section="experiments">
      <p>
        <a href="/admin/experiments">← Experiments</a>
      </p>
      <h1>{experiment.key}</h1>
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
          </section>
        );
      })}
      <p class="muted">
        {props.results.method.interval}; {props.results.method.test}; {props.results.method.sampleRatio}.
      </p>
    </Layout>
  );
}

/** Experiments: the list, and one experiment's results with bars, lift, p-values and the SRM check. */
export const experimentPages = new Hono<AppEnv>()
  .get("/admin/experiments", async (c) => {
    const experiments = await listExperiments(c.get("redis"), c.get("config"));
    return c.html(<ExperimentsPage experiments={experiments} />);
  })
  .get("/admin/experiments/:key", async (c) => {
    const key = c.req.param("key");
    if (!EXPERIMENT_KEY.test(key)) return c.html(<NotFoundPage section="experiments" what="experiment" />, 404);
    try {
      const results = await experimentResults(c.get("redis"), c.get("config"), key);
      return c.html(<ResultsPage results={results} />);
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found") {
        return c.html(<NotFoundPage section="experiments" what="experiment" />, 404);
      }
      throw error;
    }
  });
