import { parseArgs } from "node:util";
import { cliConfig } from "./cli-config.ts";
import { startProxy } from "./server.ts";

const HELP = `Usage: npx edgekit-proxy [options]     (in edgekit's repository: npm run proxy -- [options])

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
  --tokens-file PATH     tokens from a JSON file in SRH's tokens.json format (PROXY_TOKENS_FILE):
                         {"<token>": {"connection_string": "redis://host:port", "read_only": false}}
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

SRH's settings work too, when no token is given otherwise: SRH_MODE=env with SRH_TOKEN and
SRH_CONNECTION_STRING, or SRH_MODE=file with /app/srh-config/tokens.json. Then, as SRH, it
listens on SRH_PORT (default 80) of all interfaces (:: with SRH_IPV6=true) unless --port/--host.
`;

function main(): Promise<void> | undefined {
  const { values } = parseArgs({
    options: {
      redis: { type: "string" },
      token: { type: "string", multiple: true },
      "read-only-token": { type: "string", multiple: true },
      "tokens-file": { type: "string" },
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
  const { options, source } = cliConfig(values, process.env);
  const log = values.quiet === true ? undefined : (line: string) => process.stderr.write(`proxy: ${line}\n`);
  if (source.startsWith("srh") && options.host !== "127.0.0.1" && options.host !== "::1") {
    log?.(
      `SRH settings (SRH_MODE=${process.env.SRH_MODE}): listening on ${options.host}, as SRH does; the proxy has no TLS`,
    );
  }
  return startProxy({ ...options, log }).then((proxy) => {
    process.stdout.write(`${proxy.url}\n`);
    const shutdown = () => {
      proxy.close().then(() => process.exit(0));
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
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
