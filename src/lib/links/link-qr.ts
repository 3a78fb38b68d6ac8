import { renderSVG } from "uqr";
import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { type LinkContext, publicOrigin } from "./context.ts";
import { linkNotFound } from "./get-link.ts";
import { linkKeys } from "./keys.ts";

/** An SVG QR code of a link's short URL (one round trip, to refuse links that do not exist). */
export async function linkQr(redis: RedisClient, config: Config, slug: string, context: LinkContext): Promise<string> {
  const exists = await redis.exists(linkKeys(config, slug).record);
  if (Number(exists) !== 1) throw linkNotFound(slug);
  // Level M survives a smudge or a logo over ~15% of the code.
  return renderSVG(`${publicOrigin(config, context)}/${slug}`, { ecc: "M", border: 2 });
}
