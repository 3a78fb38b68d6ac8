import type { FieldError } from "../errors.ts";
import { FLAG_TYPES, type Flag, type FlagInput, type FlagType, OPERATORS, type Operator } from "../flags/schema.ts";

/**
 * The dashboard's flag editor as plain data: what the form shows, read back from posted fields,
 * turned into the API's `FlagInput` (which `putFlag` validates whole, as for PUT /api/flags), and
 * the lib's field errors mapped back to the form's fields. No Hono here.
 *
 * Posted field names: key, description, enabled ("on"), type, defaultVariant, salt,
 * variants.<i>.name / variants.<i>.value, rolloutPercentage, rolloutSlider, rolloutWas,
 * rolloutVariant, allow, deny (one id per line), rules.<i>.attribute / .operator / .values (one
 * value per line) / .variant, and `action` (save, add-rule, add-variant, up:<i>, down:<i>,
 * remove-rule:<i>, remove-variant:<i>).
 */
export interface FlagFormState {
  key: string;
  description: string;
  enabled: boolean;
  type: FlagType;
  variants: { name: string; value: string }[];
  defaultVariant: string;
  rolloutPercentage: string;
  rolloutVariant: string;
  allow: string;
  deny: string;
  rules: { attribute: string; operator: Operator; values: string; variant: string }[];
  salt: string;
}

/** Rows the editor posts at most (the lib's own limits are lower: 50 of each). */
const MAX_ROWS = 60;

const blankRule = () => ({ attribute: "", operator: "in" as Operator, values: "", variant: "" });

/** A fresh boolean flag, as the create form starts. */
export function newFlagState(): FlagFormState {
  return {
    key: "",
    description: "",
    enabled: true,
    type: "boolean",
    variants: [
      { name: "on", value: "true" },
      { name: "off", value: "false" },
    ],
    defaultVariant: "off",
    rolloutPercentage: "",
    rolloutVariant: "on",
    allow: "",
    deny: "",
    rules: [],
    salt: "",
  };
}

/** How a variant value is typed into its box: JSON for objects, plain text otherwise. */
function valueText(type: FlagType, value: unknown): string {
  if (type === "string" && typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}

/** The form of a stored flag. */
export function flagState(flag: Flag): FlagFormState {
  return {
    key: flag.key,
    description: flag.description,
    enabled: flag.enabled,
    type: flag.type,
    variants: Object.entries(flag.variants).map(([name, value]) => ({ name, value: valueText(flag.type, value) })),
    defaultVariant: flag.defaultVariant,
    rolloutPercentage: flag.rollout ? String(flag.rollout.percentage) : "",
    rolloutVariant: flag.rollout?.variant ?? "",
    allow: flag.allow.join("\n"),
    deny: flag.deny.join("\n"),
    rules: flag.rules.map((rule) => ({
      attribute: rule.attribute,
      operator: rule.operator,
      values: rule.values.map(String).join("\n"),
      variant: rule.variant,
    })),
    salt: flag.salt === flag.key ? "" : flag.salt,
  };
}

const rows = (fields: Record<string, string>, prefix: string) => {
  let count = 0;
  for (const name of Object.keys(fields)) {
    const match = new RegExp(`^${prefix}\\.(\\d{1,2})\\.`).exec(name);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  return Math.min(count, MAX_ROWS);
};

/**
 * The form as posted. The slider and the number box both carry the rollout: the number wins
 * unless it still shows the value the page was rendered with (`rolloutWas`) and the slider moved,
 * which is what happens without JavaScript (with it, a small script keeps the two in step).
 */
export function readFlagFields(fields: Record<string, string>): FlagFormState {
  const get = (name: string) => fields[name] ?? "";
  const type = (FLAG_TYPES as readonly string[]).includes(get("type")) ? (get("type") as FlagType) : "boolean";
  const variants: FlagFormState["variants"] = [];
  for (let i = 0; i < rows(fields, "variants"); i++) {
    variants.push({ name: get(`variants.${i}.name`).trim(), value: get(`variants.${i}.value`) });
  }
  const rules: FlagFormState["rules"] = [];
  for (let i = 0; i < rows(fields, "rules"); i++) {
    const operator = get(`rules.${i}.operator`);
    rules.push({
      attribute: get(`rules.${i}.attribute`).trim(),
      operator: (OPERATORS as readonly string[]).includes(operator) ? (operator as Operator) : "in",
      values: get(`rules.${i}.values`),
      variant: get(`rules.${i}.variant`).trim(),
    });
  }
  const typed = get("rolloutPercentage").trim();
  const slider = get("rolloutSlider").trim();
  const was = get("rolloutWas").trim();
  const rolloutPercentage = slider !== "" && typed === was && slider !== (was || "0") ? slider : typed;
  return {
    key: get("key").trim(),
    description: get("description"),
    enabled: get("enabled") === "on",
    type,
    variants,
    defaultVariant: get("defaultVariant").trim(),
    rolloutPercentage,
    rolloutVariant: get("rolloutVariant").trim(),
    allow: get("allow"),
    deny: get("deny"),
    rules,
    salt: get("salt").trim(),
  };
}

/** What a button other than Save does to the form: it is shown again, changed, not saved. */
export function applyFlagAction(state: FlagFormState, action: string): FlagFormState | undefined {
  const [verb, raw] = action.split(":");
  const i = Number(raw);
  const rules = [...state.rules];
  const variants = [...state.variants];
  switch (verb) {
    case "add-rule":
      return rules.length < MAX_ROWS ? { ...state, rules: [...rules, blankRule()] } : state;
    case "add-variant":
      return variants.length < MAX_ROWS ? { ...state, variants: [...variants, { name: "", value: "" }] } : state;
    case "remove-rule":
      rules.splice(i, 1);
      return { ...state, rules };
    case "remove-variant":
      variants.splice(i, 1);
      return { ...state, variants };
    case "up":
    case "down": {
      const j = verb === "up" ? i - 1 : i + 1;
      if (!Number.isInteger(i) || j < 0 || j >= rules.length || i >= rules.length) return state;
      [rules[i], rules[j]] = [rules[j] as (typeof rules)[number], rules[i] as (typeof rules)[number]];
      return { ...state, rules };
    }
    default:
      return undefined;
  }
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

const NUMERIC: ReadonlySet<Operator> = new Set(["gt", "lt"]);

/** A variant value as typed, read for the flag's type; a message when it cannot be. */
function parseValue(type: FlagType, text: string): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  switch (type) {
    case "string":
      return { value: text };
    case "boolean":
      if (trimmed === "true" || trimmed === "false") return { value: trimmed === "true" };
      return { error: "type true or false" };
    case "number":
      if (trimmed !== "" && Number.isFinite(Number(trimmed))) return { value: Number(trimmed) };
      return { error: "type a number, e.g. 42 or 0.5" };
    case "object":
      try {
        const value: unknown = JSON.parse(trimmed);
        return { value };
      } catch {
        return { error: 'type a JSON object, e.g. {"color":"blue"}' };
      }
  }
}

export type FlagInputResult = { ok: true; input: FlagInput } | { ok: false; errors: FieldError[] };

/**
 * The form as the API's flag input. Blank rows are left out; what cannot even be typed (a value
 * that is not a number for a number flag) is reported against its field here, everything else is
 * left to `putFlag`'s schema and mapped back with `formFieldOf`.
 */
export function toFlagInput(state: FlagFormState): FlagInputResult {
  const errors: FieldError[] = [];
  const variants: Record<string, unknown> = {};
  state.variants.forEach((row, i) => {
    if (row.name === "" && row.value.trim() === "") return;
    if (row.name === "") {
      errors.push({ path: `variants.${i}.name`, message: "name this variant" });
      return;
    }
    if (Object.hasOwn(variants, row.name)) {
      errors.push({ path: `variants.${i}.name`, message: `"${row.name}" is named twice` });
      return;
    }
    const parsed = parseValue(state.type, row.value);
    if ("error" in parsed) errors.push({ path: `variants.${i}.value`, message: parsed.error });
    else variants[row.name] = parsed.value;
  });
  const rules: FlagInput["rules"] = [];
  state.rules.forEach((rule, i) => {
    if (rule.attribute === "" && lines(rule.values).length === 0 && rule.variant === "") return;
    const values = lines(rule.values).map((value) => (NUMERIC.has(rule.operator) ? Number(value) : value));
    values.forEach((value) => {
      if (typeof value === "number" && !Number.isFinite(value)) {
        errors.push({ path: `rules.${i}.values`, message: `${rule.operator} compares numbers: one number per line` });
      }
    });
    rules.push({ attribute: rule.attribute, operator: rule.operator, values, variant: rule.variant });
  });
  let rollout: FlagInput["rollout"];
  if (state.rolloutPercentage !== "") {
    const percentage = Number(state.rolloutPercentage);
    if (!Number.isFinite(percentage))
      errors.push({ path: "rolloutPercentage", message: "type a number from 0 to 100" });
    else rollout = { percentage, variant: state.rolloutVariant };
  }
  if (errors.length > 0) return { ok: false, errors };
  const input: FlagInput = {
    description: state.description,
    enabled: state.enabled,
    type: state.type,
    variants,
    defaultVariant: state.defaultVariant,
    allow: lines(state.allow),
    deny: lines(state.deny),
    rules,
    ...(rollout ? { rollout } : {}),
    ...(state.salt ? { salt: state.salt } : {}),
  };
  return { ok: true, input };
}

/**
 * The form field a lib error path belongs to: `variants.beta` names the row of variant "beta",
 * `rules.2.values.0` the values box of the third rule posted (blank rows were dropped, so posted
 * rule n is the n-th non-blank row), `allow.3` the allow list.
 */
export function formFieldOf(path: string, state: FlagFormState): string {
  const [head, second, third] = path.split(".");
  switch (head) {
    case "variants": {
      if (second === undefined) return "variants";
      const row = state.variants.findIndex((v) => v.name === second);
      return row >= 0 ? `variants.${row}.value` : "variants";
    }
    case "rollout":
      return second === "variant" ? "rolloutVariant" : "rolloutPercentage";
    case "allow":
    case "deny":
      return head;
    case "rules": {
      if (second === undefined) return "rules";
      const kept = state.rules.flatMap((rule, i) =>
        rule.attribute === "" && lines(rule.values).length === 0 && rule.variant === "" ? [] : [i],
      );
      const row = kept[Number(second)];
      if (row === undefined) return "rules";
      return `rules.${row}.${third ?? "attribute"}`;
    }
    case "":
    case undefined:
      return "";
    default:
      return head;
  }
}

/** The lib's errors with their paths rewritten to form field names. */
export const toFormErrors = (errors: FieldError[], state: FlagFormState): FieldError[] =>
  errors.map((e) => ({ path: formFieldOf(e.path, state), message: e.message }));
