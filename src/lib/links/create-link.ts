import type { Config } from "../../env.ts";
import { AppError, validationError } from "../errors.ts";
import type { ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { type LinkContext, publicOrigin } from "./context.ts";
import { insertLinks } from "./insert-links.ts";
import { prepareLink } from "./prepare-link.ts";
import { toLink } from "./record.ts";
import type { Link, LinkInput } from "./schema.ts";

/**
 * Creates one link (one round trip). Throws a 422 for a target on our own host or an expiry in the
 * past, a 409 when the custom slug is taken. `limit`: a rate-limit check folded into the same
 * script (`c.var.rateLimit.forScript()`), so the request stays one round trip.
 *
 * @example
 * const link = await createLink(redis, config, { url: "https://example.com" }, { now, requestUrl });
 * link.shortUrl; // "https://sho.rt/aZ3kQ9x"
 */
export async function createLink(
  redis: RedisClient,
  config: Config,
  input: LinkInput,
  context: LinkContext,
  limit?: ScriptLimit,
): Promise<Link> {
  const prepared = await prepareLink(config, context, input);
  if (!prepared.ok) throw validationError(prepared.errors);
  const [created] = await insertLinks(redis, config, [prepared.value], limit);
  if (!created) {
    throw new AppError("conflict", `The slug "${prepared.value.slug}" is taken. Choose another or leave it out.`);
  }
  const { slug, fields } = prepared.value;
  return toLink(slug, { fields, humans: 0, bots: 0 }, publicOrigin(config, context));
}
