/**
 * `npm run lock:complete`: records in package-lock.json the platform binaries of Biome that the
 * registry this machine reaches does not serve (macOS, Windows, Android, musl). npm then leaves
 * them out of the lockfile, and `npm ci` refuses it ("Missing: @biomejs/cli-darwin-x64@ from lock
 * file"). The entries carry their os/cpu/libc, so npm skips them on every other platform and
 * fetches the right one by name and version where it is needed. Run it after `npm install`.
 */
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const platforms: Record<string, { os: string; cpu: string; libc?: string }> = {
  "android-arm64": { os: "android", cpu: "arm64" },
  "android-x64": { os: "android", cpu: "x64" },
  "darwin-arm64": { os: "darwin", cpu: "arm64" },
  "darwin-x64": { os: "darwin", cpu: "x64" },
  "linux-arm64": { os: "linux", cpu: "arm64", libc: "glibc" },
  "linux-arm64-musl": { os: "linux", cpu: "arm64", libc: "musl" },
  "linux-x64": { os: "linux", cpu: "x64", libc: "glibc" },
  "linux-x64-musl": { os: "linux", cpu: "x64", libc: "musl" },
  "win32-arm64": { os: "win32", cpu: "arm64" },
  "win32-x64": { os: "win32", cpu: "x64" },
};
const biome = lock.packages["node_modules/@biomejs/biome"];
let added = 0;
for (const name of Object.keys(biome?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = platforms[name.replace("@biomejs/cli-", "")];
  if (lock.packages[key] || !platform) continue;
  lock.packages[key] = {
    version: biome.optionalDependencies[name],
    cpu: [platform.cpu],
    dev: true,
    ...(platform.libc ? { libc: [platform.libc] } : {}),
    license: "MIT OR Apache-2.0",
    optional: true,
    os: [platform.os],
    engines: { node: ">=14.21.3" },
  };
  added++;
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
