import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aclUserName, READ_ONLY_DENIED } from "../../../proxy/acl.ts";
import { scopeToDatabase } from "../../../proxy/database-scope.ts";
import { READ_ONLY_TOKEN, type Stack, startStack, TOKEN } from "./helpers.ts";

let stack: Stack;
let admin: IORedis;

beforeAll(async () => {
  stack = await startStack();
  admin = new IORedis(stack.redis.url);
});
afterAll(async () => {
  admin.disconnect();
  await stack.stop();
});

/** Containers whose subcommand @upstash/redis appends later (XINFO STREAM, XGROUP CREATE, ...). */
const ALL_SUBCOMMANDS = new Set(["xinfo", "xgroup"]);

/**
 * Every command (and subcommand) @upstash/redis can send, read from its bundle: the first
 * literal of the argument array each command class builds.
 */
function upstashCommands(): string[][] {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@upstash/redis"));
  const bundle = readFileSync(join(dir, readdirChunk(dir)), "utf8");
  const found = new Map<string, string[]>();
  for (const section of bundle.split("// pkg/commands/").slice(1)) {
    const match = /(?:super\(|const (?:command|cmd) = )\[\s*"([A-Za-z_.]+)"(?:\s*,\s*"([A-Za-z_-]+)")?/.exec(section);
    if (!match?.[1]) continue;
    const command = [match[1].toLowerCase(), ...(match[2] ? [match[2].toLowerCase()] : [])];
    found.set(command.join(" "), command);
  }
  return [...found.values()];
}

function readdirChunk(dir: string): string {
  const entry = readFileSync(join(dir, "nodejs.mjs"), "utf8");
  const chunk = /from "\.\/(chunk-[A-Z0-9]+\.mjs)"/.exec(entry)?.[1];
  if (!chunk) throw new Error("cannot find @upstash/redis's command bundle");
  return chunk;
}

interface Known {
  args: string[];
  writes: boolean;
}

/** Redis's own view of a command: enough placeholder arguments for its arity, and whether it writes. */
async function describeCommand(command: string[]): Promise<Known[]> {
  const [info] = (await admin.call("COMMAND", "INFO", command[0] as string)) as unknown[][];
  if (!info) return []; // A module command (JSON.*, SEARCH.*, ...) this Redis does not have.
  const subs = (info[9] as unknown[][] | undefined) ?? [];
  const pick = (entry: unknown[]) => {
    const [name, arity, flags] = entry as [string, number, string[]];
    const parts = name.split("|");
    const needed = Math.max(Math.abs(arity) - parts.length, 0);
    return { args: [...parts, ...Array(needed).fill("x")], writes: flags.some((f) => f === "write" || f === "admin") };
  };
  if (subs.length === 0) return [pick(info)];
  const wanted = ALL_SUBCOMMANDS.has(command[0] as string) ? subs : subs.filter((s) => s[0] === command.join("|"));
  return wanted.map(pick);
}

const dryRun = async (user: string, args: string[]) => String(await admin.call("ACL", "DRYRUN", user, ...args));

describe("the tokens' Redis users", () => {
  it("let a full token run every command @upstash/redis sends, FLUSHALL and COPY as the proxy sends them", async () => {
    const commands = upstashCommands();
    expect(commands.length).toBeGreaterThan(150);
    const refused: string[] = [];
    let checked = 0;
    for (const command of commands) {
      for (const { args } of await describeCommand(command)) {
        checked++;
        const sent = scopeToDatabase(args, 0);
        // COPY runs as the token's copier twin, switched to for that command alone.
        const user = sent[0] === "copy" ? `${aclUserName(TOKEN)}-copy` : aclUserName(TOKEN);
        const answer = await dryRun(user, sent);
        if (answer !== "OK") refused.push(`${args.join(" ")}: ${answer}`);
      }
    }
    expect(checked).toBeGreaterThan(150);
    expect(refused).toEqual([]);
  });

  it("let a read-only token run exactly the commands the proxy lets it, reads and no writes", async () => {
    const denied = new Set(READ_ONLY_DENIED);
    const disagreements: string[] = [];
    for (const command of upstashCommands()) {
      for (const { args, writes } of await describeCommand(command)) {
        const key = args[1] && args[0] !== args[1] ? `${args[0]}|${args[1]}` : (args[0] as string);
        const mayRun = !writes && !denied.has(args[0] as string) && !denied.has(key);
        const allowed = (await dryRun(aclUserName(READ_ONLY_TOKEN), args)) === "OK";
        if (allowed !== mayRun) disagreements.push(`${args.join(" ")}: ACL ${allowed}, proxy ${mayRun}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
