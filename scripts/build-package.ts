/**
 * `tsx scripts/build-package.ts`: builds what `npm pack` ships (the `prepack` script runs it):
 * JavaScript and declarations in dist/, so a consumer needs no TypeScript loader and no wrangler
 * rule for `.lua` files.
 *
 * - dist/index.js (`edgekit`), dist/hono.js (`edgekit/hono`): ES modules for Workers, the Lua
 *   scripts inlined as strings, shared code split into chunks; dependencies stay imports, so
 *   the consumer's bundler resolves one copy of hono, zod and @upstash/redis.
 * - dist/proxy/index.js (`edgekit/proxy`), dist/proxy/cli.js (the `edgekit-proxy` bin): for Node.
 * - dist/types/: `tsc --emitDeclarationOnly` of the entry points, its `.ts` import specifiers
 *   rewritten to `.js`, which is what a declaration file may name.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};
const external = [...Object.keys(pkg.dependencies).flatMap((name) => [name, `${name}/*`]), "cloudflare:*", "node:*"];

rmSync(dist, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { index: "src/package.ts", hono: "src/hono/index.ts" },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external,
  loader: { ".lua": "text" },
  jsx: "automatic",
  jsxImportSource: "hono/jsx",
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "none",
  logLevel: "warning",
});

await build({
  absWorkingDir: root,
  entryPoints: { index: "proxy/index.ts", cli: "proxy/cli.ts" },
  outdir: join(dist, "proxy"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
// The bin: a shebang on the CLI entry, and the execute bit npm keeps in the tarball.
const cli = join(dist, "proxy/cli.js");
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, "utf8")}`);
chmodSync(cli, 0o755);

const tsc = (project: string) =>
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", project], {
    cwd: root,
    stdio: "inherit",
  });
tsc("tsconfig.package.json");
tsc("tsconfig.package-proxy.json");

// Declarations keep the sources' `./x.ts` specifiers; consumers resolve `./x.js` to `./x.d.ts`.
const rewrite = (dir: string) => {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) rewrite(path);
    else if (entry.endsWith(".d.ts")) {
      const text = readFileSync(path, "utf8");
      writeFileSync(path, text.replace(/((?:from|import)\s*\(?\s*["']\.{1,2}\/[^"']*?)\.tsx?(["'])/g, "$1.js$2"));
    }
  }
};
rewrite(join(dist, "types"));
process.stdout.write(`package: built ${dist}\n`);
