import type { Config } from "../../env.ts";
import { type FieldError, PROBLEMS, type ProblemCode, problemType } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { type LinkContext, publicOrigin } from "./context.ts";
import { insertLinks } from "./insert-links.ts";
import { type PreparedLink, prepareLink } from "./prepare-link.ts";
import { toLink } from "./record.ts";
import { type Link, linkInputSchema } from "./schema.ts";

export const MAX_BULK = 100;

/** The problem an item failed with, shaped like the body of the matching single-link error. */
export interface ItemProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export type BulkResult =
  | { index: number; ok: true; status: 201; link: Link }
  | { index: number; ok: false; status: number; error: ItemProblem };

function itemProblem(code: ProblemCode, detail: string, errors?: FieldError[]): ItemProblem {
  const { status, title } = PROBLEMS[code];
  return { type: problemType(code), title, status, detail, ...(errors ? { errors } : {}) };
}

/**
 * Creates up to {@link MAX_BULK} links. Each item is validated on its own; items that fail never
 * reach Redis, the others are written by one script call (one round trip, plus one more in the
 * unlikely event a random slug collides). Results keep the request's order.
 */
export async function createLinks(
  redis: RedisClient,
  config: Config,
  items: unknown[],
  context: LinkContext,
): Promise<BulkResult[]> {
  const results: BulkResult[] = new Array(items.length);
  const valid: { index: number; prepared: PreparedLink }[] = [];
  await Promise.all(
    items.map(async (item, index) => {
      const parsed = linkInputSchema.safeParse(item);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
        const first = errors[0] as FieldError;
        results[index] = {
          index,
          ok: false,
          status: 422,
          error: itemProblem("validation_failed", `${first.path || "item"}: ${first.message}`, errors),
        };
        return;
      }
      const prepared = await prepareLink(config, context, parsed.data);
      if (!prepared.ok) {
        const first = prepared.errors[0] as FieldError;
        results[index] = {
          index,
          ok: false,
          status: 422,
          error: itemProblem("validation_failed", `${first.path}: ${first.message}`, prepared.errors),
        };
        return;
      }
      valid.push({ index, prepared: prepared.value });
    }),
  );
  valid.sort((a, b) => a.index - b.index);
  const created =
    valid.length > 0
      ? await insertLinks(
          redis,
          config,
          valid.map((v) => v.prepared),
        )
      : [];
  const origin = publicOrigin(config, context);
  valid.forEach(({ index, prepared }, i) => {
    results[index] = created[i]
      ? {
          index,
          ok: true,
          status: 201,
          link: toLink(prepared.slug, { fields: prepared.fields, humans: 0, bots: 0 }, origin),
        }
      : { index, ok: false, status: 409, error: itemProblem("conflict", `The slug "${prepared.slug}" is taken.`) };
  });
  return results;
}
