import type { Config } from "../env.ts";

/**
 * The global key namespace: `{KEY_PREFIX}edgekit:`. Each primitive builds its own keys under it in
 * one private function; this is the only piece they share.
 */
export function namespace(config: Pick<Config, "KEY_PREFIX">): string {
  return `${config.KEY_PREFIX}edgekit:`;
}
