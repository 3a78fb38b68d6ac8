import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { freePort } from "./redis-server.ts";

export interface BuiltWorkerOptions {
  /** A `wrangler deploy --dry-run --outdir` folder: the bundle plus its Lua modules. */
  outdir: string;
  bindings: Record<string, string>;
  inspectorPort?: number;
  /** Swallow the Worker's own logs (a test that provokes hundreds of logged 503s on purpose). */
  quiet?: boolean;
}

/**
 * Runs a built Worker in workerd through Miniflare's API on a free loopback port: the real
 * runtime, without `wrangler dev`'s proxy in front (which costs more than the Worker itself).
 * Used by the benchmark, the soak script, the browser test and the outage tests.
 */
export async function startBuiltWorker(options: BuiltWorkerOptions): Promise<{ mf: Miniflare; url: string }> {
  const { outdir } = options;
  // Miniflare takes the first module as the main one: the bundle, not a Lua file named by its hash.
  const modules = readdirSync(outdir)
    .filter((f) => f.endsWith(".js") || f.endsWith(".lua"))
    .sort((a, b) => Number(b.endsWith(".js")) - Number(a.endsWith(".js")));
  const mf = new Miniflare({
    modules: modules.map((name) => ({
      type: name.endsWith(".lua") ? ("Text" as const) : ("ESModule" as const),
      path: join(outdir, name),
    })),
    modulesRoot: outdir,
    compatibilityDate: "2026-04-20",
    compatibilityFlags: ["nodejs_compat"],
    bindings: options.bindings,
    inspectorPort: options.inspectorPort,
    host: "127.0.0.1",
    port: await freePort(),
    ...(options.quiet
      ? {
          handleRuntimeStdio(stdout: Readable, stderr: Readable) {
            stdout.resume();
            stderr.resume();
          },
        }
      : {}),
  });
  return { mf, url: (await mf.ready).toString().replace(/\/$/, "") };
}
