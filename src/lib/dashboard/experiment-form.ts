import type { FieldError } from "../errors.ts";
import { type Experiment, type ExperimentInput, STATUSES, type Status } from "../experiments/schema.ts";

/**
 * The dashboard's experiment editor as plain data. The API takes relative weights (any positive
 * numbers); the page asks for shares of traffic in percent that must add up to 100, so what is
 * typed is what each variant gets. Coverage is typed in percent too (the API takes 0..1).
 *
 * Posted fields: key, variants.<i>.name, variants.<i>.weight, coverage, goals (one a line),
 * status (create only), winner, salt, action (save, add-variant, remove-variant:<i>).
 */
export interface ExperimentFormState {
  key: string;
  variants: { name: string; weight: string }[];
  coverage: string;
  goals: string;
  status: Status;
  winner: string;
  salt: string;
}

/** How far from 100 the weights may add up (rounding of shares like 33.33 + 33.33 + 33.34). */
export const WEIGHT_TOLERANCE = 0.01;
const MAX_ROWS = 20;

export function newExperimentState(): ExperimentFormState {
  return {
    key: "",
    variants: [
      { name: "control", weight: "50" },
      { name: "treatment", weight: "50" },
    ],
    coverage: "100",
    goals: "",
    status: "draft",
    winner: "",
    salt: "",
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The form of a stored experiment: weights shown as percentages of their sum (rounded to two
 * decimals, the last variant taking the rounding remainder, so they add up to 100 exactly).
 */
export function experimentState(experiment: Experiment): ExperimentFormState {
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
  let given = 0;
  const variants = experiment.variants.map((v, i) => {
    const share = i === experiment.variants.length - 1 ? round2(100 - given) : round2((v.weight / total) * 100);
    given += share;
    return { name: v.name, weight: String(share) };
  });
  return {
    key: experiment.key,
    variants,
    coverage: String(round2(experiment.coverage * 100)),
    goals: experiment.goals.join("\n"),
    status: experiment.status,
    winner: experiment.winner ?? "",
    salt: experiment.salt === experiment.key ? "" : experiment.salt,
  };
}

export function readExperimentFields(fields: Record<string, string>): ExperimentFormState {
  const get = (name: string) => fields[name] ?? "";
  let count = 0;
  for (const name of Object.keys(fields)) {
    const match = /^variants\.(\d{1,2})\./.exec(name);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  const variants: ExperimentFormState["variants"] = [];
  for (let i = 0; i < Math.min(count, MAX_ROWS); i++) {
    variants.push({ name: get(`variants.${i}.name`).trim(), weight: get(`variants.${i}.weight`).trim() });
  }
  const status = get("status");
  return {
    key: get("key").trim(),
    variants,
    coverage: get("coverage").trim(),
    goals: get("goals"),
    status: (STATUSES as readonly string[]).includes(status) ? (status as Status) : "draft",
    winner: get("winner").trim(),
    salt: get("salt").trim(),
  };
}

/** Add or remove a variant row (shown again, unsaved); undefined for Save. */
export function applyExperimentAction(state: ExperimentFormState, action: string): ExperimentFormState | undefined {
  const [verb, raw] = action.split(":");
  if (verb === "add-variant") {
    if (state.variants.length >= MAX_ROWS) return state;
    return { ...state, variants: [...state.variants, { name: "", weight: "" }] };
  }
  if (verb === "remove-variant") {
    const variants = [...state.variants];
    variants.splice(Number(raw), 1);
    return { ...state, variants };
  }
  return undefined;
}

export type ExperimentInputResult = { ok: true; input: ExperimentInput } | { ok: false; errors: FieldError[] };

/**
 * The form as the API's experiment input. Checks here only what the page adds (shares in percent
 * adding up to 100, numbers that parse); everything else is `putExperiment`'s schema, whose
 * errors `experimentFieldOf` maps back to the form.
 */
export function toExperimentInput(state: ExperimentFormState): ExperimentInputResult {
  const errors: FieldError[] = [];
  const variants: { name: string; weight: number }[] = [];
  state.variants.forEach((row, i) => {
    if (row.name === "" && row.weight === "") return;
    const weight = Number(row.weight);
    if (row.weight === "" || !Number.isFinite(weight) || weight <= 0) {
      errors.push({ path: `variants.${i}.weight`, message: "type a share in percent, more than 0" });
    }
    variants.push({ name: row.name, weight });
  });
  const sum = variants.reduce((total, v) => total + (Number.isFinite(v.weight) ? v.weight : 0), 0);
  if (errors.length === 0 && Math.abs(sum - 100) > WEIGHT_TOLERANCE) {
    errors.push({ path: "weights", message: `the weights add up to ${round2(sum)}: they must add up to 100` });
  }
  const coverage = Number(state.coverage === "" ? "100" : state.coverage);
  if (!Number.isFinite(coverage) || coverage < 0 || coverage > 100) {
    errors.push({ path: "coverage", message: "type a percentage from 0 to 100" });
  }
  if (errors.length > 0) return { ok: false, errors };
  const goals = state.goals
    .split(/\r?\n/)
    .map((g) => g.trim())
    .filter((g) => g !== "");
  return {
    ok: true,
    input: {
      variants,
      coverage: coverage / 100,
      status: state.status,
      goals,
      ...(state.winner ? { winner: state.winner } : {}),
      ...(state.salt ? { salt: state.salt } : {}),
    },
  };
}

/** The form field of a lib error path: `variants.1.name` maps to the second non-blank row. */
export function experimentFieldOf(path: string, state: ExperimentFormState): string {
  const [head, second, third] = path.split(".");
  if (head === "variants") {
    const kept = state.variants.flatMap((row, i) => (row.name === "" && row.weight === "" ? [] : [i]));
    const row = second === undefined ? undefined : kept[Number(second)];
    return row === undefined ? "variants" : `variants.${row}.${third ?? "name"}`;
  }
  if (head === "goals") return "goals";
  return head ?? "";
}

export const toExperimentErrors = (errors: FieldError[], state: ExperimentFormState): FieldError[] =>
  errors.map((e) => ({ path: experimentFieldOf(e.path, state), message: e.message }));

/**
 * What a status change does to data being collected, or undefined when it needs no confirmation
 * (starting or resuming). Said on the confirmation page.
 */
export function statusChangeEffect(from: Status, to: Status): string | undefined {
  if (from === to) return undefined;
  if (to === "completed") {
    return "Completing is final for the data: every unit gets the winner from now on, nothing more is assigned or counted, and conversions are refused. The results freeze as they are.";
  }
  if (from === "running" && (to === "paused" || to === "draft")) {
    return `While ${to}, no new unit is assigned or counted and every visitor gets the control variant; conversions of units already assigned still count. Units arriving meanwhile are lost to the experiment.`;
  }
  if (from === "completed") {
    return "Reopening a completed experiment lets assignments and conversions be counted again on top of the frozen results.";
  }
  return undefined;
}
