import {
  cache,
  endSession,
  type IdempotencyVariables,
  idempotency,
  rateLimit,
  redisFromEnv,
  type SessionVariables,
  session,
  startSession,
} from "edgekit/hono";
import { Hono, type MiddlewareHandler } from "hono";

type Env = {
  Bindings: {
    UPSTASH_REDIS_REST_URL: string;
    UPSTASH_REDIS_REST_TOKEN: string;
    HASH_SECRET: string;
    RATE_LIMIT?: string;
  };
  Variables: SessionVariables & IdempotencyVariables;
};

// One Redis client per request, from the bindings, shared by every middleware of that request.
const redis = redisFromEnv();
const sessions = { redis };

const app = new Hono<Env>();

// 1. A rate limit on every route, per client address (hashed with HASH_SECRET): RateLimit headers,
// 429 problems. Built on the first request, to read its limit from the RATE_LIMIT var.
let limiter: MiddlewareHandler | undefined;
app.use("*", (c, next) => {
  limiter ??= rateLimit({ redis, limit: Number(c.env.RATE_LIMIT ?? 60), window: 60 });
  return limiter(c, next);
});

// 2. Sessions behind a __Host- cookie: c.get("session") on every request that carries one.
app.use("*", session(sessions));

app.post("/login", async (c) => {
  const { user } = await c.req.json<{ user: string }>();
  // Your own authentication goes here; edgekit starts the session and sets the cookie.
  return c.json(await startSession(c, sessions, { userId: user, data: { plan: "free" } }), 201);
});
app.get("/me", (c) => {
  const current = c.get("session");
  return current ? c.json({ user: current.userId, plan: current.data.plan }) : c.json({ user: null }, 401);
});
app.post("/logout", async (c) => c.json({ ended: await endSession(c, sessions) }));

// 3. Idempotency-Key on order creation: a retried POST gets the first answer, and no second order.
app.post("/orders", idempotency({ redis, required: true }), async (c) => {
  const order = { id: crypto.randomUUID(), user: c.get("session")?.userId ?? null, ...(await c.req.json()) };
  return c.json(order, 201);
});

// 4. A shared response cache: the catalog is built once a minute, whatever the traffic; every
// answer says how it was served in Cache-Status.
let builds = 0;
app.get("/catalog", cache({ redis, ttl: 60, staleWhileRevalidate: 300, tags: ["catalog"] }), (c) => {
  builds++;
  return c.json({ items: ["book", "pen"], build: builds });
});

export default app;
