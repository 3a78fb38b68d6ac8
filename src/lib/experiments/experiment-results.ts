import type { Config } from "../../env.ts";
import { ownValue } from "../names.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { experimentKeys } from "./keys.ts";
import { notFound } from "./not-found.ts";
import { experimentFrom } from "./read-experiment.ts";
import source from "./read-results.lua";
import type { Experiment } from "./schema.ts";
import { type Comparison, compareProportions, type SampleRatioCheck, sampleRatioCheck } from "./stats.ts";

export interface GoalResult extends Comparison {
  conversions: number;
  /** conversions / units; null with no units. */
  rate: number | null;
  /** Sum of the conversion values (0 when none carried a value). */
  valueSum: number;
}

export interface VariantResult {
  name: string;
  weight: number;
  control: boolean;
  units: number;
  /** Per goal. For the control, the comparison fields are null. */
  goals: Record<string, GoalResult>;
}

/** One UTC day of the experiment: first exposures (new units) and conversions per goal. */
export interface DailyResult {
  day: string;
  units: number;
  conversions: Record<string, number>;
}

/** Days shown at most (the latest ones), and at least (ending on the last day with data). */
export const DAILY_DAYS = 60;
const MIN_DAYS = 14;

export interface ExperimentResults {
  experiment: Experiment;
  variants: VariantResult[];
  /** Up to the last day with data, gaps filled with zeros: 14 to DAILY_DAYS days. */
  daily: DailyResult[];
  sampleRatio: SampleRatioCheck;
  method: { interval: string; test: string; sampleRatio: string };
}

interface Snapshot {
  def: string | false;
  createdAt: string | false;
  updatedAt: string | false;
  units: Record<string, string>;
  conversions: Record<string, string>;
  daily: Record<string, string>;
}

// Lua's false (a missing field) arrives as JSON false.
const readScript = defineScript(source, (reply): Snapshot => {
  if (typeof reply !== "string") throw new Error("experiments: read-results.lua must reply with a JSON string");
  return JSON.parse(reply) as Snapshot;
});

const NO_COMPARISON: Comparison = { absoluteLift: null, relativeLift: null, ci95: null, z: null, pValue: null };

/**
 * Results of one experiment: definition and counters read by one script (one round trip, one
 * consistent snapshot), then per variant and goal the rate, lift against the control, 95 %
 * interval and p-value, and the sample ratio check over the units per variant. Throws 404 when
 * there is no such experiment.
 */
export async function experimentResults(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
): Promise<ExperimentResults> {
  const keys = experimentKeys(config, key);
  const snapshot = await readScript.run(redis, [keys.definition, keys.units, keys.conversions, keys.daily], []);
  const experiment = experimentFrom(snapshot.def, snapshot.createdAt, snapshot.updatedAt);
  if (!experiment) throw notFound(key);
  // Own properties only: a name like "constructor" must not find Object's.
  const unitsOf = (variant: string) => Number(ownValue(snapshot.units, variant) ?? 0);
  const counter = (field: string) => Number(ownValue(snapshot.conversions, field) ?? 0);
  const proportion = (goal: string, variant: string) => ({
    units: unitsOf(variant),
    conversions: counter(`${goal}:${variant}`),
  });

  const control = (experiment.variants[0] as { name: string }).name;
  const variants = experiment.variants.map((variant, index): VariantResult => {
    // fromEntries defines own properties, whatever the goal is called.
    const goals: Record<string, GoalResult> = Object.fromEntries(
      experiment.goals.map((goal) => {
        const mine = proportion(goal, variant.name);
        const result: GoalResult = {
          conversions: mine.conversions,
          rate: mine.units > 0 ? mine.conversions / mine.units : null,
          valueSum: counter(`${goal}:${variant.name}:value`),
          ...(index === 0 ? NO_COMPARISON : compareProportions(proportion(goal, control), mine)),
        };
        return [goal, result];
      }),
    );
    return { name: variant.name, weight: variant.weight, control: index === 0, units: unitsOf(variant.name), goals };
  });

  return {
    experiment,
    variants,
    daily: dailySeries(snapshot.daily, experiment.goals),
    sampleRatio: sampleRatioCheck(
      variants.map((v) => v.units),
      variants.map((v) => v.weight),
    ),
    method: {
      interval: "95% Wald interval of the difference in rates (unpooled standard error)",
      test: "two-sided two-proportion z-test (pooled standard error)",
      sampleRatio: "chi-square goodness of fit of units per variant against the weights; flagged when p < 0.001",
    },
  };
}

const DAY = /^\d{4}-\d\d-\d\d$/;

/** The daily hash as a gap-free series of days (fields: "units:<day>", "conv:<goal>:<day>"). */
function dailySeries(hash: Record<string, string>, goals: string[]): DailyResult[] {
  const byDay = new Map<string, DailyResult>();
  const dayOf = (day: string) => {
    let entry = byDay.get(day);
    if (!entry) {
      entry = { day, units: 0, conversions: Object.fromEntries(goals.map((g) => [g, 0])) };
      byDay.set(day, entry);
    }
    return entry;
  };
  for (const [field, value] of Object.entries(hash)) {
    const day = field.slice(field.lastIndexOf(":") + 1);
    if (!DAY.test(day)) continue;
    if (field.startsWith("units:")) dayOf(day).units += Number(value);
    else if (field.startsWith("conv:")) {
      const goal = field.slice(5, field.lastIndexOf(":"));
      // A goal removed from the definition keeps its old counts in the hash: not shown.
      if (goals.includes(goal)) dayOf(day).conversions[goal] = Number(value);
    }
  }
  if (byDay.size === 0) return [];
  const days = [...byDay.keys()].sort();
  const last = Date.parse(`${days[days.length - 1]}T00:00:00Z`);
  // At least two weeks shown, so one day of data is a bar among days, not the whole chart.
  const first = Math.max(
    Math.min(Date.parse(`${days[0]}T00:00:00Z`), last - (MIN_DAYS - 1) * 86_400_000),
    last - (DAILY_DAYS - 1) * 86_400_000,
  );
  const series: DailyResult[] = [];
  for (let t = first; t <= last; t += 86_400_000) series.push(dayOf(new Date(t).toISOString().slice(0, 10)));
  return series;
}
