/**
 * The cold-start floor (bench/startup.ts): an empty Hono Worker plus the libraries every edgekit
 * request runs (zod and @hono/zod-openapi for validation, @upstash/redis, @upstash/ratelimit),
 * each touched once. What edgekit costs beyond this is its own code.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";

const schema = z.object({ name: z.string() });

export default new OpenAPIHono().get("/", (c) =>
  c.text(String([schema.safeParse({}).success, typeof Ratelimit.slidingWindow(1, "1 s"), typeof Redis])),
);
