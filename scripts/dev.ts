/**
 * `npm run dev`: redis-server (data in .data/) + the proxy + `wrangler dev`, in one terminal.
 * Ctrl-C stops all three.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { startProxy } from "../proxy/server.ts";
import { ensureSecret, readDevVars } from "./dev-vars.ts";
import { freePort, hasRedisServer, INSTALL_HINT, startRedisServer } from "./redis-server.ts";

const root = resolve(import.meta.dirname, "..");
const devVarsPath = resolve(root, ".dev.vars");

if (!hasRedisServer()) {
  console.error(INSTALL_HINT);
  process.exit(1);
}

const vars = readDevVars(devVarsPath);
const setting = (name: string) => process.env[name] ?? vars[name];
const adminToken = ensureSecret(devVarsPath, "ADMIN_TOKEN", vars);
const hashSecret = ensureSecret(devVarsPath, "HASH_SECRET", vars);
const proxyToken = ensureSecret(devVarsPath, "PROXY_TOKEN", vars);
const port = Number(setting("PORT") ?? 8787);

const redis = await startRedisServer({
  port: setting("REDIS_PORT") ? Number(setting("REDIS_PORT")) : undefined,
  dataDir: resolve(root, ".data/redis"),
});
const proxy = await startProxy({
  tokens: [{ token: proxyToken, redisUrl: redis.url }],
  port: setting("PROXY_PORT") ? Number(setting("PROXY_PORT")) : await freePort(),
  // Refuse locally what Upstash refuses in production (a script touching a key not in KEYS).
  strict: true,
});

const wrangler = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--var",
    `UPSTASH_REDIS_REST_URL:${proxy.url}`,
    "--var",
    `UPSTASH_REDIS_REST_TOKEN:${proxyToken}`,
    "--var",
    `ADMIN_TOKEN:${adminToken}`,
    "--var",
    `HASH_SECRET:${hashSecret}`,
    // Local webhooks go to local receivers (127.0.0.1), which production refuses.
    "--var",
    "JOBS_ALLOW_PRIVATE_TARGETS:true",
  ],
  { cwd: root, stdio: ["inherit", "pipe", "inherit"], env: { ...process.env, FORCE_COLOR: "1" } },
);
wrangler.stdout?.pipe(process.stdout);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  wrangler.kill("SIGTERM");
  await proxy.close();
  await redis.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
wrangler.on("exit", (code) => void stop(code ?? 1));

await waitForHealth(`http://127.0.0.1:${port}/healthz`);
console.log(
  [
    "",
    `  edgekit      http://127.0.0.1:${port}   (API docs: http://127.0.0.1:${port}/docs)`,
    `  Redis proxy  ${proxy.url}   token: ${proxyToken}`,
    `  redis-server ${redis.url}   data: .data/redis`,
    `  ADMIN_TOKEN  ${adminToken}`,
    "  Ctrl-C stops all three.",
    "",
  ].join("\n"),
);

async function waitForHealth(url: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // wrangler is still starting
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!stopping) console.error(`wrangler dev did not answer ${url} within 60 s; see its output above.`);
}
