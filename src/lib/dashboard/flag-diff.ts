import type { Flag, Rule } from "../flags/schema.ts";

const show = (value: unknown) => JSON.stringify(value) ?? "none";
const rollout = (r: Flag["rollout"]) => (r ? `${r.percentage}% get ${r.variant}` : "none");
const rule = (r: Rule) => `${r.attribute} ${r.operator} ${r.values.map(show).join(", ")} → ${r.variant}`;

/** "+3 (a, b, c), −1 (d)" for a list of ids; at most five names each way. */
function listChange(label: string, before: string[], after: string[]): string | undefined {
  const was = new Set(before);
  const now = new Set(after);
  const added = after.filter((id) => !was.has(id));
  const removed = before.filter((id) => !now.has(id));
  if (added.length === 0 && removed.length === 0) return undefined;
  const names = (ids: string[]) => ids.slice(0, 5).join(", ") + (ids.length > 5 ? ", …" : "");
  const parts: string[] = [];
  if (added.length > 0) parts.push(`+${added.length} (${names(added)})`);
  if (removed.length > 0) parts.push(`−${removed.length} (${names(removed)})`);
  return `${label}: ${parts.join(", ")}`;
}

/**
 * What changed between two versions of a flag, one readable line per change: "turned off",
 * "rollout: 100% get on → 0% get on", "variant beta added: \"b\"", "rule 2 moved to 1: ...".
 * `before` null: the flag was created; `after` null: deleted.
 *
 * @example
 * flagChanges(before, { ...before, enabled: false }) // ["turned off"]
 */
export function flagChanges(before: Flag | null, after: Flag | null): string[] {
  if (!before && after) return [`created (${after.type}, default ${after.defaultVariant})`];
  if (!after) return ["deleted"];
  if (!before) return [];
  const out: string[] = [];
  if (before.enabled !== after.enabled) out.push(after.enabled ? "turned on" : "turned off");
  if (before.type !== after.type) out.push(`type: ${before.type} → ${after.type}`);
  if (before.description !== after.description)
    out.push(`description: ${show(before.description)} → ${show(after.description)}`);
  if (before.defaultVariant !== after.defaultVariant) {
    out.push(`default variant: ${before.defaultVariant} → ${after.defaultVariant}`);
  }
  for (const name of Object.keys(before.variants)) {
    if (!Object.hasOwn(after.variants, name)) out.push(`variant ${name} removed`);
    else if (show(before.variants[name]) !== show(after.variants[name])) {
      out.push(`variant ${name}: ${show(before.variants[name])} → ${show(after.variants[name])}`);
    }
  }
  for (const name of Object.keys(after.variants)) {
    if (!Object.hasOwn(before.variants, name)) out.push(`variant ${name} added: ${show(after.variants[name])}`);
  }
  if (show(before.rollout) !== show(after.rollout)) {
    out.push(`rollout: ${rollout(before.rollout)} → ${rollout(after.rollout)}`);
  }
  for (const line of [listChange("allow", before.allow, after.allow), listChange("deny", before.deny, after.deny)]) {
    if (line) out.push(line);
  }
  out.push(...ruleChanges(before.rules, after.rules));
  if (before.salt !== after.salt) out.push(`salt: ${show(before.salt)} → ${show(after.salt)} (everyone re-bucketed)`);
  return out.length > 0 ? out : ["saved without changes"];
}

/** Rules are compared as whole texts: added, removed, or moved (numbered from 1, as on the page). */
function ruleChanges(before: Rule[], after: Rule[]): string[] {
  const was = before.map(rule);
  const now = after.map(rule);
  if (was.join("\n") === now.join("\n")) return [];
  const out: string[] = [];
  was.forEach((text, i) => {
    if (!now.includes(text)) out.push(`rule ${i + 1} removed: ${text}`);
  });
  now.forEach((text, i) => {
    const old = was.indexOf(text);
    if (old < 0) out.push(`rule ${i + 1} added: ${text}`);
    else if (old !== i) out.push(`rule ${old + 1} moved to ${i + 1}: ${text}`);
  });
  return out;
}
