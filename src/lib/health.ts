import { AppError } from "./errors.ts";
import type { RedisClient } from "./redis.ts";

/** Sends one PING and returns its round-trip time in milliseconds. */
export async function ping(redis: RedisClient): Promise<number> {
  const started = performance.now();
  const reply = await redis.ping();
  if (reply !== "PONG") throw new AppError("redis_unavailable", `Redis answered PING with ${JSON.stringify(reply)}.`);
  // Workers freeze timers during I/O-free code, but a fetch advances them: this is the real RTT.
  return Math.round((performance.now() - started) * 100) / 100;
}
