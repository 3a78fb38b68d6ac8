import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import type { ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { type LinkContext, publicOrigin } from "./context.ts";
import { readLink } from "./read-link.ts";
import { toLink } from "./record.ts";
import type { Link } from "./schema.ts";

/** One link as the API shows it; a 404 problem when there is none. `limit`: see readLink. */
export async function getLink(
  redis: RedisClient,
  config: Config,
  slug: string,
  context: LinkContext,
  limit?: ScriptLimit,
): Promise<Link> {
  const stored = await readLink(redis, config, slug, limit);
  if (!stored) throw linkNotFound(slug);
  return toLink(slug, stored, publicOrigin(config, context));
}

export function linkNotFound(slug: string): AppError {
  return new AppError("not_found", `There is no link "${slug}".`);
}
