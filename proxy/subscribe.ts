import type { IncomingMessage, ServerResponse } from "node:http";
import { classify } from "./errors.ts";
import type { RedisTarget } from "./redis-target.ts";
import type { Stats } from "./stats.ts";

/**
 * GET|POST /subscribe/{channel} and /psubscribe/{pattern} as server-sent events, in the line
 * format @upstash/redis's `subscribe()` parses: `data: subscribe,<channel>,<count>`,
 * `data: message,<channel>,<payload>`, `data: pmessage,<pattern>,<channel>,<payload>`.
 * Each stream holds its own Redis connection, closed when the client goes away.
 */
export async function serveSubscription(
  req: IncomingMessage,
  res: ServerResponse,
  target: RedisTarget,
  kind: "subscribe" | "psubscribe",
  channels: string[],
  stats: Stats,
): Promise<void> {
  let connection: Awaited<ReturnType<RedisTarget["openSubscription"]>>;
  try {
    // The command timeout covers SUBSCRIBE itself; quiet time between messages is not a command.
    connection = await target.openSubscription();
  } catch (error) {
    throw classify(error);
  }
  let open = true;
  const send = (line: string) => {
    if (!open) return;
    // A payload with line ends becomes several data: lines. SSE ends a line at CRLF, a lone CR or
    // a lone LF, so all three are split: no channel name or message can start a field or event.
    res.write(`data: ${line.replace(/\r\n|\r|\n/g, "\ndata: ")}\n\n`);
  };
  const stop = () => {
    if (!open) return;
    open = false;
    stats.subscribers--;
    clearInterval(keepAlive);
    target.discard(connection);
    res.end();
  };
  stats.subscribers++;
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "upstash-sync-token": String(stats.commands),
  });
  res.flushHeaders();
  // A comment line now and then keeps idle intermediaries from closing the stream.
  const keepAlive = setInterval(() => open && res.write(": keep-alive\n\n"), 15_000);
  req.on("close", stop);
  res.on("close", stop);
  connection.on("end", stop);
  connection.on("message", (channel: string, message: string) => send(`message,${channel},${message}`));
  connection.on("pmessage", (pattern: string, channel: string, message: string) =>
    send(`pmessage,${pattern},${channel},${message}`),
  );
  try {
    for (const channel of channels) {
      const count = kind === "subscribe" ? await connection.subscribe(channel) : await connection.psubscribe(channel);
      stats.commands++;
      send(`${kind},${channel},${count}`);
    }
  } catch (error) {
    send(`error,${kind},${(error as Error).message}`);
    stop();
  }
}
