import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { databaseOf, newTokenUser, serverOf, urlAs } from "./acl.ts";
import { createTokenMatcher, presentedToken } from "./auth.ts";
import { readBody } from "./body.ts";
import { encodeReply } from "./encode.ts";
import { ProxyError } from "./errors.ts";
import { Executor, type Item } from "./execute.ts";
import {
  type ProxyOptions,
  type ProxyToken,
  type ResolvedOptions,
  type ResolvedToken,
  type RunningProxy,
  resolveOptions,
} from "./options.ts";
import { parseJson, pathCommand, toCommand, toCommands } from "./parse.ts";
import { RedisAdmin, type UserSetup } from "./redis-admin.ts";
import { type CopySwitch, RedisTarget } from "./redis-target.ts";
import { errorBody, sendJson } from "./respond.ts";
import { ScriptWatchdog } from "./script-watchdog.ts";
import { createStats, type Stats } from "./stats.ts";
import { serveSubscription } from "./subscribe.ts";

export type { ProxyOptions, ProxyToken, RunningProxy } from "./options.ts";

interface Backend {
  target: RedisTarget;
  executor: Executor;
}

/** The proxy's hold on one Redis server: its admin connection and script watchdog. */
interface Server {
  admin: RedisAdmin;
  tokens: { token: ResolvedToken; url: string; copySwitch?: CopySwitch }[];
  watchdog?: ScriptWatchdog;
}

/** A first path segment that can name a Redis command; anything else is an unknown route (404). */
const COMMAND_SEGMENT = /^[A-Za-z][A-Za-z0-9_.|-]*$/;

/**
 * Starts the Upstash-compatible REST proxy and resolves once it listens.
 *
 * @example
 * const proxy = await startProxy({ tokens: [{ token: "t", redisUrl: "redis://127.0.0.1:6380" }] });
 * const redis = new Redis({ url: proxy.url, token: "t" }); // from @upstash/redis
 * await proxy.close();
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const opts = resolveOptions(options);
  const stats = createStats();
  const servers = planServers(opts);
  try {
    await Promise.all(servers.map(({ admin }) => admin.start(opts.connectWaitMs)));
  } catch (error) {
    await Promise.all(servers.map(({ admin }) => admin.close()));
    throw error;
  }
  const backends = new Map<ProxyToken, Backend>();
  for (const server of servers) {
    for (const { token, url, copySwitch } of server.tokens) {
      const limits = { maxSubscriptions: token.maxSubscriptions, maxBlocking: token.maxBlocking };
      const target = new RedisTarget(url, opts.commandTimeoutMs, opts.blockingTimeoutMs, opts.log, limits, copySwitch);
      backends.set(token, { target, executor: new Executor(target, opts, stats) });
    }
    const watched = server.tokens.map(({ token }) => ({
      target: (backends.get(token) as Backend).target,
      scriptTimeoutMs: token.scriptTimeoutMs,
    }));
    server.watchdog = new ScriptWatchdog(server.admin, watched, opts.log);
  }
  const match = createTokenMatcher(opts.tokens);
  const handler = createHandler(opts, stats, backends, match);

  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      // Last resort: a bug must cost one request a 500, never the process.
      opts.log(`internal error: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, errorBody("ERR internal proxy error"), stats.commands);
      else res.destroy();
    });
  });
  // Clients such as @upstash/redis keep connections alive between requests; so does the Worker.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });

  await Promise.all([...backends.values()].map(({ target }) => target.waitReady(opts.connectWaitMs)));
  for (const { target } of backends.values()) {
    // Serve anyway (503 until it is up): the dev stack may start Redis a moment later.
    if (!target.ready) opts.log(`redis ${redact(target.url)} is not reachable yet; answering 503 until it is`);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const { watchdog } of servers) watchdog?.close();
      await Promise.all([...backends.values()].map(({ target }) => target.close()));
      await Promise.all(servers.map(({ admin }) => admin.close()));
      await closed;
    },
  };
}

/**
 * Groups the tokens by Redis server. Unless `unsafeSharedRedis`, each token gets its own ACL
 * user there (named from a hash of the token, a new random password each start), created by the
 * admin connection as the URL's user; the token's connections log in as it.
 */
function planServers(opts: ResolvedOptions): Server[] {
  const byServer = new Map<string, { users: UserSetup[]; tokens: Server["tokens"] }>();
  for (const token of opts.tokens) {
    const key = serverOf(token.redisUrl);
    const server = byServer.get(key) ?? { users: [], tokens: [] };
    byServer.set(key, server);
    if (opts.unsafeSharedRedis) {
      server.tokens.push({ token, url: token.redisUrl });
      continue;
    }
    const user = newTokenUser(token.token);
    const readOnly = token.readOnly === true;
    server.users.push({ user, rules: { readOnly, db: databaseOf(token.redisUrl), allow: opts.allowCommands } });
    const copySwitch = readOnly ? undefined : { user, copier: user.copier };
    server.tokens.push({ token, url: urlAs(token.redisUrl, user), copySwitch });
  }
  return [...byServer].map(([url, { users, tokens }]) => ({ admin: new RedisAdmin(url, users, opts.log), tokens }));
}

function createHandler(
  opts: ResolvedOptions,
  stats: Stats,
  backends: Map<ProxyToken, Backend>,
  match: ReturnType<typeof createTokenMatcher>,
) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = q === -1 ? null : new URLSearchParams(rawUrl.slice(q + 1));
    const method = req.method ?? "GET";
    const fail = (error: ProxyError) => {
      stats.errors++;
      const extra: Record<string, string> = {};
      if (error.status === 503) stats.unavailable++;
      if (error.status === 503 || error.status === 429) extra["retry-after"] = "1";
      if (error.status === 405)
        extra.allow = path === "/" || path === "/pipeline" || path === "/multi-exec" ? "POST" : "GET, POST";
      if (error.status === 413) extra.connection = "close";
      sendJson(res, error.status, errorBody(error.message), stats.commands, extra);
    };

    try {
      if (method !== "GET" && method !== "POST")
        throw new ProxyError(405, `ERR method ${method} is not allowed; use POST (or GET for path-style commands)`);
      const token = match(presentedToken(req.headers.authorization, query));
      if (!token) {
        throw new ProxyError(
          401,
          "Unauthorized: send the proxy token as 'Authorization: Bearer <token>' or '?_token=<token>'",
        );
      }
      const backend = backends.get(token) as Backend;
      const readOnly = token.readOnly === true;
      if (path === "/__stats") {
        if (method !== "GET") throw new ProxyError(405, "ERR /__stats answers GET only");
        const redis = Object.fromEntries(
          [...backends.values()].map(({ target }) => [redact(target.url), target.ready]),
        );
        sendJson(res, 200, JSON.stringify({ ...stats, redis }), stats.commands);
        return;
      }
      stats.requests++;
      const base64 = isBase64(req.headers["upstash-encoding"]);

      if (path === "/" || path === "/pipeline" || path === "/multi-exec") {
        if (method !== "POST") throw new ProxyError(405, `ERR ${path} answers POST with a JSON body`);
        const body = parseJson(await readBody(req, opts.maxBodyBytes));
        if (path === "/") {
          const reply = await backend.executor.one(toCommand(body), readOnly);
          sendJson(res, 200, JSON.stringify({ result: encodeReply(reply, base64) }), stats.commands);
          return;
        }
        const commands = toCommands(body);
        const items =
          path === "/pipeline"
            ? await backend.executor.pipeline(commands, readOnly)
            : await backend.executor.multi(commands, readOnly);
        sendJson(res, 200, encodeItems(items, base64), stats.commands);
        return;
      }

      const first = path.slice(1, (path.indexOf("/", 1) + 1 || path.length + 1) - 1);
      if (!COMMAND_SEGMENT.test(first)) throw new ProxyError(404, `ERR no such route: ${path}`);
      const lower = first.toLowerCase();
      if ((lower === "subscribe" || lower === "psubscribe") && path.length > first.length + 2) {
        const channels = pathCommand(path, null, Buffer.alloc(0)).slice(1);
        await serveSubscription(req, res, backend.target, lower, channels, stats);
        return;
      }
      const command = pathCommand(path, query, await readBody(req, opts.maxBodyBytes));
      const reply = await backend.executor.one(command, readOnly);
      sendJson(res, 200, JSON.stringify({ result: encodeReply(reply, base64) }), stats.commands);
    } catch (error) {
      if (error instanceof ProxyError) fail(error);
      else throw error;
    }
  };
}

function encodeItems(items: Item[], base64: boolean): string {
  return JSON.stringify(
    items.map((item) => (item.ok ? { result: encodeReply(item.reply, base64) } : { error: item.error })),
  );
}

function isBase64(header: string | string[] | undefined): boolean {
  return typeof header === "string" && header.toLowerCase() === "base64";
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
