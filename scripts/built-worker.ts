import { execFileSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { freePort } from "./redis-server.ts";

const root = resolve(import.meta.dirname, "..");

/**
 * Builds a Worker as `wrangler deploy` does (wrangler.toml's settings; `entry` instead of its
 * `main` when given) into `outdir`, emptied first: wrangler keeps what an earlier build left
 * there, and every file there would be loaded as a module. Returns `outdir`.
 */
export function buildWorker(outdir: string, options: { entry?: string; minify?: boolean } = {}): string {
  rmSync(outdir, { recursive: true, force: true });
  const args = ["wrangler", "deploy", ...(options.entry ? [options.entry] : []), "--dry-run", "--outdir", outdir];
  if (options.minify === false) args.push("--no-minify");
  execFileSync("npx", args, { cwd: root, stdio: "ignore" });
  return outdir;
}

/** A built Worker's modules for Miniflare: the bundle first (Miniflare's main module), then its Lua files. */
export function builtModules(outdir: string) {
  return readdirSync(outdir)
    .filter((f) => f.endsWith(".js") || f.endsWith(".lua"))
    .sort((a, b) => Number(b.endsWith(".js")) - Number(a.endsWith(".js")))
    .map((name) => ({
      type: name.endsWith(".lua") ? ("Text" as const) : ("ESModule" as const),
      path: join(outdir, name),
    }));
}

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
  const mf = new Miniflare({
    modules: builtModules(outdir),
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
