import { createHash } from "node:crypto";
import { withKeyChecks } from "./strict.ts";

/** Shebang flags Redis 7 understands; others (Upstash's `allow-key-locking`) make it reject the script. */
const KNOWN_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);

export function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/**
 * Drops shebang flags Redis does not know, keeping the line (so Lua error line numbers still
 * match the client's text) and every flag Redis does know. Returns the text unchanged otherwise.
 *
 * @example stripUnknownFlags("#!lua flags=allow-key-locking\nreturn 1") === "#!lua\nreturn 1"
 */
export function stripUnknownFlags(script: string): string {
  if (!script.startsWith("#!")) return script;
  const eol = script.indexOf("\n");
  const line = eol === -1 ? script : script.slice(0, eol);
  const match = /^#!lua(?:[ \t]+flags=(\S*))?[ \t]*\r?$/.exec(line);
  if (!match?.[1]) return script;
  const flags = match[1].split(",").filter(Boolean);
  const kept = flags.filter((flag) => KNOWN_FLAGS.has(flag));
  if (kept.length === flags.length) return script;
  const shebang = kept.length > 0 ? `#!lua flags=${kept.join(",")}` : "#!lua";
  return eol === -1 ? shebang : shebang + script.slice(eol);
}

interface Rewritten {
  redisSha: string;
  text: string;
}

/**
 * Remembers scripts whose text the proxy changed, by the SHA the client computed from its own
 * text, so EVALSHA of that SHA reaches the script Redis holds, in one round trip.
 */
export class ScriptRegistry {
  private readonly byClientSha = new Map<string, Rewritten>();

  /** `strict`: add Upstash-strict mode's key checks to flagged scripts (strict.ts). */
  constructor(
    private readonly strict = false,
    private readonly limit = 1000,
  ) {}

  /** Strips unknown flags (and adds strict checks); when that changed the text, remembers the client's SHA for it. */
  prepare(clientText: string): { text: string; clientSha: string | null } {
    const text = stripUnknownFlags(this.strict ? withKeyChecks(clientText) : clientText);
    if (text === clientText) return { text, clientSha: null };
    const clientSha = sha1(clientText);
    if (!this.byClientSha.has(clientSha)) {
      if (this.byClientSha.size >= this.limit) {
        const oldest = this.byClientSha.keys().next().value;
        if (oldest !== undefined) this.byClientSha.delete(oldest);
      }
      this.byClientSha.set(clientSha, { redisSha: sha1(text), text });
    }
    return { text, clientSha };
  }

  lookup(clientSha: string): Rewritten | undefined {
    return this.byClientSha.get(clientSha.toLowerCase());
  }

  /** SCRIPT FLUSH empties Redis's cache; forget ours so SCRIPT EXISTS and NOSCRIPT agree with it. */
  clear(): void {
    this.byClientSha.clear();
  }
}
