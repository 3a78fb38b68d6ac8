import { existsSync, readFileSync } from "node:fs";
import type { ProxyOptions, ProxyToken } from "./options.ts";

/** The command line, as `parseArgs` gives it. */
export interface CliValues {
  redis?: string;
  token?: string[];
  "read-only-token"?: string[];
  "tokens-file"?: string;
  port?: string;
  host?: string;
  allow?: string[];
  "max-body"?: string;
  "blocking-timeout"?: string;
  strict?: boolean;
  "script-timeout"?: string;
  "max-subscriptions"?: string;
  "max-blocking"?: string;
  "unsafe-shared-redis"?: boolean;
}

/** Where SRH's Docker image reads its tokens file (SRH_MODE=file, its default mode). */
export const SRH_TOKENS_FILE = "/app/srh-config/tokens.json";

/** A mistake in the settings, said in one line. */
export class CliConfigError extends Error {
  override readonly name = "CliConfigError";
}

/** The proxy's settings and, for the start-up line, where the tokens came from. */
export interface CliConfig {
  options: Omit<ProxyOptions, "log">;
  source: "flags" | "tokens-file" | "srh-env" | "srh-file";
}

/**
 * The proxy's settings from its flags, its own variables (PROXY_*), or SRH's
 * (serverless-redis-http), in that order, so a docker-compose file written for SRH runs unchanged:
 * - `SRH_MODE=env`: `SRH_TOKEN` and `SRH_CONNECTION_STRING`, one token;
 * - `SRH_MODE=file`: a tokens file `{"<token>": {"srh_id": "...", "connection_string": "redis://...",
 *   "max_connections": 3}}`, from `--tokens-file`/`PROXY_TOKENS_FILE` or SRH's own path
 *   `/app/srh-config/tokens.json` (read without SRH_MODE too when it exists: file is SRH's default).
 * In SRH mode the proxy also listens as SRH does, on `SRH_PORT` (default 80) of every interface
 * (`::` with `SRH_IPV6=true`), unless `--port`/`--host` say otherwise. `srh_id` and the
 * connection-pool sizes are read and not used: each token gets its own connections.
 */
export function cliConfig(
  values: CliValues,
  env: Record<string, string | undefined>,
  srhTokensFile = SRH_TOKENS_FILE,
): CliConfig {
  const redisUrl = values.redis ?? env.PROXY_REDIS_URL ?? "redis://127.0.0.1:6379";
  const toToken = (spec: string, readOnly: boolean): ProxyToken => {
    const at = spec.indexOf("=redis");
    return at === -1
      ? { token: spec, redisUrl, readOnly }
      : { token: spec.slice(0, at), redisUrl: spec.slice(at + 1), readOnly };
  };
  let tokens = [
    ...(values.token ?? (env.PROXY_TOKEN ? [env.PROXY_TOKEN] : [])).map((t) => toToken(t, false)),
    ...(values["read-only-token"] ?? (env.PROXY_READ_ONLY_TOKEN ? [env.PROXY_READ_ONLY_TOKEN] : [])).map((t) =>
      toToken(t, true),
    ),
  ];
  let source: CliConfig["source"] = "flags";
  const tokensFile = values["tokens-file"] ?? env.PROXY_TOKENS_FILE;
  const srhMode = env.SRH_MODE?.trim().toLowerCase();
  if (srhMode !== undefined && srhMode !== "" && srhMode !== "env" && srhMode !== "file") {
    throw new CliConfigError(`SRH_MODE must be env or file, got "${env.SRH_MODE}"`);
  }
  if (tokens.length === 0 && tokensFile !== undefined) {
    tokens = readTokensFile(tokensFile);
    source = "tokens-file";
  } else if (tokens.length === 0 && srhMode === "env") {
    if (!env.SRH_TOKEN) throw new CliConfigError("SRH_MODE=env needs SRH_TOKEN");
    if (!env.SRH_CONNECTION_STRING) throw new CliConfigError("SRH_MODE=env needs SRH_CONNECTION_STRING");
    tokens = [{ token: env.SRH_TOKEN, redisUrl: env.SRH_CONNECTION_STRING }];
    source = "srh-env";
  } else if (tokens.length === 0 && (srhMode === "file" || (!srhMode && existsSync(srhTokensFile)))) {
    // SRH's default mode is file: a compose file that only mounts tokens.json works too.
    tokens = readTokensFile(srhTokensFile);
    source = "srh-file";
  }
  if (tokens.length === 0) {
    throw new CliConfigError(
      "a token is required: pass --token <secret>, set PROXY_TOKEN, or SRH's SRH_MODE=env with SRH_TOKEN and SRH_CONNECTION_STRING",
    );
  }
  const srh = source === "srh-env" || source === "srh-file";
  const port = values.port ?? env.PROXY_PORT ?? (srh ? (env.SRH_PORT ?? "80") : "8079");
  const host = values.host ?? env.PROXY_HOST ?? (srh ? (env.SRH_IPV6 === "true" ? "::" : "0.0.0.0") : "127.0.0.1");
  return {
    source,
    options: {
      tokens,
      port: toNumber("port", port),
      host,
      allowCommands: values.allow ?? env.PROXY_ALLOW?.split(",").filter(Boolean) ?? [],
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
    },
  };
}

/**
 * SRH's tokens.json: an object from token to `{connection_string, srh_id?, max_connections?}`. An
 * entry may also say `"read_only": true` (edgekit's addition; SRH has no read-only tokens).
 */
export function readTokensFile(path: string): ProxyToken[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliConfigError(`cannot read the tokens file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliConfigError(`${path} is not JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliConfigError(`${path}: expected an object of {"<token>": {"connection_string": "redis://..."}}`);
  }
  const tokens: ProxyToken[] = [];
  for (const [token, entry] of Object.entries(parsed)) {
    const where = `${path}: the entry of token "${token.slice(0, 4)}…"`;
    if (typeof entry !== "object" || entry === null) throw new CliConfigError(`${where} is not an object`);
    const { connection_string: url, read_only: readOnly } = entry as Record<string, unknown>;
    if (typeof url !== "string" || !/^rediss?:\/\//.test(url)) {
      throw new CliConfigError(`${where} needs "connection_string": "redis://host:port"`);
    }
    tokens.push({ token, redisUrl: url, readOnly: readOnly === true });
  }
  return tokens;
}

function toNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliConfigError(`--${name} must be a whole number, got "${value}"`);
  return n;
}
