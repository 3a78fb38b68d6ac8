import { parseArgs } from "node:util";
import type { ProxyToken } from "./options.ts";
import { startProxy } from "./server.ts";

const HELP = `Usage: npm run proxy -- [options]

Serves the Upstash REST API (what @upstash/redis speaks) in front of a real redis-server.
Prints one line, the proxy's URL, once it is ready.

Each token connects to Redis as its own ACL user, which the proxy creates at start with that
token's rights. The user in --redis (default: Redis's default user) must be allowed ACL SETUSER,
SCRIPT KILL and FUNCTION KILL.

Options (environment variable in brackets):
  --redis URL            Redis to forward to, as a user allowed to manage ACLs (PROXY_REDIS_URL;
                         default redis://127.0.0.1:6379; redis://user:password@host:port/db)
  --token T              token clients send as 'Authorization: Bearer T' (PROXY_TOKEN; required).
                         Repeatable; T=redis://host:port/db sends that token to another Redis or database
  --read-only-token T    a token that may only read, decided by Redis's COMMAND INFO flags
                         (PROXY_READ_ONLY_TOKEN); T=URL works as for --token
  --port N               port to listen on, 0 for a free one (PROXY_PORT; default 8079)
  --host H               address to bind (PROXY_HOST; default 127.0.0.1)
  --allow CMD            allow a command refused by default, e.g. "CONFIG SET" (PROXY_ALLOW, comma-separated)
  --max-body BYTES       largest request body (PROXY_MAX_BODY_BYTES; default 10485760)
  --blocking-timeout MS  cap for BLPOP, XREAD BLOCK, ... (PROXY_BLOCKING_TIMEOUT_MS; default 30000)
  --strict               Upstash-strict mode: refuse what Upstash refuses in a script flagged
                         allow-key-locking (a key not in KEYS, a database-wide command) (PROXY_STRICT=1)
  --script-timeout MS    a script running longer is stopped with SCRIPT KILL (PROXY_SCRIPT_TIMEOUT_MS; default 5000)
  --max-subscriptions N  SSE streams open at once per token (PROXY_MAX_SUBSCRIPTIONS; default 100)
  --max-blocking N       blocking commands waiting at once per token (PROXY_MAX_BLOCKING; default 20)
  --unsafe-shared-redis  start on a Redis without ACLs: all tokens share the URL's user, and a
                         token's database and read-only status do not hold inside scripts
  --quiet                do not log Redis connection changes to stderr
  --help                 show this text
`;

function main(): Promise<void> | undefined {
  const env = process.env;
  const { values } = parseArgs({
    options: {
      redis: { type: "string" },
      token: { type: "string", multiple: true },
      "read-only-token": { type: "string", multiple: true },
      port: { type: "string" },
      host: { type: "string" },
      allow: { type: "string", multiple: true },
      "max-body": { type: "string" },
      "blocking-timeout": { type: "string" },
      strict: { type: "boolean" },
      "script-timeout": { type: "string" },
      "max-subscriptions": { type: "string" },
      "max-blocking": { type: "string" },
      "unsafe-shared-redis": { type: "boolean" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const redisUrl = values.redis ?? env.PROXY_REDIS_URL ?? "redis://127.0.0.1:6379";
  const toToken = (spec: string, readOnly: boolean): ProxyToken => {
    const at = spec.indexOf("=redis");
    return at === -1
      ? { token: spec, redisUrl, readOnly }
      : { token: spec.slice(0, at), redisUrl: spec.slice(at + 1), readOnly };
  };
  const tokens = [
    ...(values.token ?? (env.PROXY_TOKEN ? [env.PROXY_TOKEN] : [])).map((t) => toToken(t, false)),
    ...(values["read-only-token"] ?? (env.PROXY_READ_ONLY_TOKEN ? [env.PROXY_READ_ONLY_TOKEN] : [])).map((t) =>
      toToken(t, true),
    ),
  ];
  if (tokens.length === 0) fail("a token is required: pass --token <secret> or set PROXY_TOKEN");
  const allow = values.allow ?? env.PROXY_ALLOW?.split(",").filter(Boolean) ?? [];
  const quiet = values.quiet === true;
  return startProxy({
    tokens,
    port: toNumber("port", values.port ?? env.PROXY_PORT ?? "8079"),
    host: values.host ?? env.PROXY_HOST ?? "127.0.0.1",
    allowCommands: allow,
    maxBodyBytes: toNumber("max-body", values["max-body"] ?? env.PROXY_MAX_BODY_BYTES ?? "10485760"),
    blockingTimeoutMs: toNumber(
      "blocking-timeout",
      values["blocking-timeout"] ?? env.PROXY_BLOCKING_TIMEOUT_MS ?? "30000",
    ),
    strict: values.strict === true || env.PROXY_STRICT === "1",
    scriptTimeoutMs: toNumber("script-timeout", values["script-timeout"] ?? env.PROXY_SCRIPT_TIMEOUT_MS ?? "5000"),
    maxSubscriptions: toNumber(
      "max-subscriptions",
      values["max-subscriptions"] ?? env.PROXY_MAX_SUBSCRIPTIONS ?? "100",
    ),
    maxBlocking: toNumber("max-blocking", values["max-blocking"] ?? env.PROXY_MAX_BLOCKING ?? "20"),
    unsafeSharedRedis: values["unsafe-shared-redis"] === true,
    log: quiet ? undefined : (line) => process.stderr.write(`proxy: ${line}\n`),
  }).then((proxy) => {
    process.stdout.write(`${proxy.url}\n`);
    const shutdown = () => {
      proxy.close().then(() => process.exit(0));
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
}

function toNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number, got "${value}"`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`proxy: ${message}\n`);
  process.exit(2);
}

try {
  main()?.catch((error: Error) => fail(error.message));
} catch (error) {
  fail((error as Error).message);
}
