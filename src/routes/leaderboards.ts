import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { validationError } from "../lib/errors.ts";
import {
  type Board,
  boardInputSchema,
  boardKeySchema,
  deleteBoard,
  listBoards,
  memberSchema,
  putBoard,
  readAround,
  readRanks,
  readTop,
  type Submitter,
  scoreSchema,
  submitScore,
  WINDOWS,
} from "../lib/leaderboards/index.ts";
import { adminRequired } from "../middleware/admin-auth.ts";
import { missingScope, optionalPrincipal, permits, secured } from "../middleware/authorize.ts";
import { loadSession, sameOriginOnly } from "../middleware/session.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const tags = ["leaderboards"];
const noStore = { "cache-control": "no-store" };
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const unauthorized = unauthorizedResponse;
const missing = problemResponse("No such board");
const params = z.object({ board: boardKeySchema });
const integer = z.number().int();

const boardSchema = z
  .object({
    key: z.string(),
    order: z.enum(["high", "low"]),
    rule: z.enum(["best", "sum", "last", "min"]),
    windows: z.array(z.enum(WINDOWS)),
    timeZone: z.string(),
    ties: z.enum(["shared", "earliest"]),
    range: z.object({ min: integer, max: integer }),
    submit: z.enum(["server", "session"]),
    createdAt: integer,
    updatedAt: integer,
  })
  .openapi("Board");
const rowSchema = z.object({ member: z.string(), score: integer, rank: integer }).openapi("BoardRow");
const windowHeader = {
  board: boardSchema,
  window: z.enum(WINDOWS),
  period: z.string().openapi({ description: "2026-11-23, 2026-W48, 2026-11 or all" }),
  endsAt: z.iso.datetime().nullable().openapi({ description: "When the period ends (null for all)" }),
  total: integer.openapi({ description: "Members on the window" }),
};
const windowResultSchema = z.object({
  period: z.string(),
  score: integer,
  changed: z.boolean().openapi({ description: "False when the rule kept the stored score" }),
  rank: integer,
  previousRank: integer.nullable(),
  total: integer,
  endsAt: z.iso.datetime().nullable(),
});

/** The settings as the API shows them (the stamp is internal). */
const shown = ({ stamp: _stamp, ...board }: Board) => board;

const windowQuery = {
  window: z.enum(WINDOWS).optional().openapi({ description: "One of the board's windows (default: its first)" }),
  period: z
    .string()
    .max(16)
    .optional()
    .openapi({ description: "A period of the window (default: the current one), e.g. 2026-W48" }),
};

const putRoute = createRoute({
  method: "put",
  path: "/api/leaderboards/{board}",
  summary: "Create or replace a board's settings (order, ties and time zone are fixed once created)",
  tags,
  ...secured("leaderboards:write:{board}"),
  request: { params, body: { required: true, content: { "application/json": { schema: boardInputSchema } } } },
  responses: {
    200: json("The board was replaced", boardSchema),
    201: json("The board was created", boardSchema),
    401: unauthorized,
    409: problemResponse("Order, ties or time zone would change, or there are 1,000 boards already"),
    422: problemResponse("The settings are not valid; `errors` lists the fields"),
  },
});

const readRoute = createRoute({
  method: "get",
  path: "/api/leaderboards/{board}",
  summary: "The board's settings and a page of one window, with a member's rank (public; one round trip)",
  tags,
  request: {
    params,
    query: z.object({
      ...windowQuery,
      limit: z.coerce.number().int().min(1).max(100).default(10),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      member: memberSchema.optional().describe("Also return this member's rank and score"),
    }),
  },
  responses: {
    200: json(
      "The page (ranks from offset + 1), the member's row or null, the total and when the period ends",
      z.object({ ...windowHeader, entries: z.array(rowSchema), member: rowSchema.nullable() }),
    ),
    404: missing,
    422: problemResponse("A query parameter is not valid, or the board does not keep that window"),
    429: problemResponse("Over the rate limit"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/leaderboards/{board}",
  summary: "Delete a board and every window of it",
  tags,
  ...secured("leaderboards:write:{board}"),
  request: { params },
  responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: missing },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/leaderboards",
  summary: "Every board's settings, by key",
  tags,
  ...secured("leaderboards:read"),
  responses: { 200: json("The boards", z.object({ boards: z.array(boardSchema) })), 401: unauthorized },
});

const submitRoute = createRoute({
  method: "post",
  path: "/api/leaderboards/{board}/scores",
  summary:
    "Submit a score to every window of the board (one round trip). Admin token; or, on a board with submit: session, the signed-in user as their own member",
  tags,
  security: [{ bearerAuth: ["leaderboards:write:{board}"] }],
  middleware: [sameOriginOnly(), loadSession(), adminOrSession()] as const,
  request: {
    params,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            member: memberSchema.optional().describe("Required with the admin token; a session submits as its user"),
            score: scoreSchema.describe("An integer inside the board's range"),
          }),
        },
      },
    },
  },
  responses: {
    200: json(
      "The score, per window: whether it changed, the rank now and before, the total, when the period ends",
      z.object({
        board: z.string(),
        member: z.string(),
        windows: z.partialRecord(z.enum(WINDOWS), windowResultSchema),
      }),
    ),
    401: problemResponse("Neither the admin token nor a session"),
    403: problemResponse("The board takes server submits only, or the member is not the session's user"),
    404: missing,
    422: problemResponse("The score is not an integer, outside the range, or a sum would pass ±(2^53 − 1)"),
    429: problemResponse("Over the leaderboard-submit rate limit"),
  },
});

const aroundRoute = createRoute({
  method: "get",
  path: "/api/leaderboards/{board}/around/{member}",
  summary: "Up to 2k + 1 rows around a member, full at the top and bottom edges (public; one round trip)",
  tags,
  request: {
    params: z.object({ board: boardKeySchema, member: memberSchema }),
    query: z.object({ ...windowQuery, k: z.coerce.number().int().min(1).max(50).default(5) }),
  },
  responses: {
    200: json(
      "The rows (none when the member is absent) and the member's row or null",
      z.object({ ...windowHeader, entries: z.array(rowSchema), member: rowSchema.nullable() }),
    ),
    404: missing,
    422: problemResponse("A parameter is not valid, or the board does not keep that window"),
    429: problemResponse("Over the rate limit"),
  },
});

const ranksRoute = createRoute({
  method: "post",
  path: "/api/leaderboards/{board}/ranks",
  summary: "The ranks and scores of up to 100 members (friends, a team) (public; one round trip)",
  tags,
  request: {
    params,
    query: z.object(windowQuery),
    body: {
      required: true,
      content: {
        "application/json": { schema: z.strictObject({ members: z.array(memberSchema).min(1).max(100) }) },
      },
    },
  },
  responses: {
    200: json(
      "One row per member asked, in the order asked; rank and score null when absent",
      z.object({
        ...windowHeader,
        ranks: z.array(z.object({ member: z.string(), score: integer.nullable(), rank: integer.nullable() })),
      }),
    ),
    404: missing,
    422: problemResponse("The body or a parameter is not valid"),
    429: problemResponse("Over the rate limit"),
  },
});

/** Whether each submit request is a server's (admin token, or a key with the board's scope). */
const admins = new WeakMap<Request, boolean>();

/**
 * Refuses, before the body is read, a request with neither a server's credential (the admin
 * token, or an API key holding `leaderboards:write:{board}`) nor a session. A key without the
 * scope and no session is a 403 naming the scope.
 */
function adminOrSession() {
  return createMiddleware<AppEnv>(async function adminOrSession(c, next) {
    const principal = await optionalPrincipal(c);
    const admin = principal !== undefined && permits(c, principal, "leaderboards:write:{board}");
    if (!admin && !c.get("session")?.userId) {
      if (principal) throw missingScope(`leaderboards:write:${c.req.param("board")}`);
      throw adminRequired();
    }
    if (principal && admin) c.set("principal", principal);
    admins.set(c.req.raw, admin);
    await next();
  });
}

/** Who submits: the admin token (any member), else the session's user (their own member). */
function submitter(c: Context<AppEnv>, member: string | undefined): { by: Submitter; member: string } {
  if (admins.get(c.req.raw)) {
    if (member === undefined) {
      throw validationError([{ path: "member", message: "required with the admin token" }]);
    }
    return { by: { kind: "server" }, member };
  }
  const userId = c.get("session")?.userId;
  if (!userId) throw adminRequired();
  return { by: { kind: "session", userId }, member: member ?? userId };
}

export const leaderboardRoutes = createRouter()
  .openapi(listRoute, async (c) =>
    c.json({ boards: (await listBoards(c.get("redis"), c.get("config"))).map(shown) }, 200),
  )
  .openapi(putRoute, async (c) => {
    const { board: key } = c.req.valid("param");
    const now = c.get("clock").now();
    const { board, created } = await putBoard(c.get("redis"), c.get("config"), now, key, c.req.valid("json"));
    return c.json(shown(board), created ? 201 : 200);
  })
  .openapi(readRoute, async (c) => {
    const { board } = c.req.valid("param");
    const { limit: count, offset, member, window, period } = c.req.valid("query");
    const limit = await c.get("rateLimit").forScript(); // the check runs inside read-board.lua
    const now = c.get("clock").now();
    const page = await readTop(c.get("redis"), c.get("config"), board, {
      window,
      period,
      offset,
      count,
      member,
      now,
      limit,
    });
    return c.json({ ...page, board: shown(page.board) }, 200, noStore);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteBoard(c.get("redis"), c.get("config"), c.req.valid("param").board, c.get("clock").now());
    return c.body(null, 204);
  })
  .openapi(submitRoute, async (c) => {
    const { board } = c.req.valid("param");
    const body = c.req.valid("json");
    const { by, member } = submitter(c, body.member);
    const limit = await c.get("rateLimit").forScript(); // the check runs inside submit-score.lua
    const now = c.get("clock").now();
    const result = await submitScore(c.get("redis"), c.get("config"), {
      board,
      member,
      score: body.score,
      now,
      by,
      limit,
    });
    return c.json(result, 200, noStore);
  })
  .openapi(aroundRoute, async (c) => {
    const { board, member } = c.req.valid("param");
    const { k, window, period } = c.req.valid("query");
    const limit = await c.get("rateLimit").forScript();
    const now = c.get("clock").now();
    const around = await readAround(c.get("redis"), c.get("config"), board, { member, k, window, period, now, limit });
    return c.json({ ...around, board: shown(around.board) }, 200, noStore);
  })
  .openapi(ranksRoute, async (c) => {
    const { board } = c.req.valid("param");
    const { window, period } = c.req.valid("query");
    const { members } = c.req.valid("json");
    const limit = await c.get("rateLimit").forScript();
    const now = c.get("clock").now();
    const ranks = await readRanks(c.get("redis"), c.get("config"), board, { members, window, period, now, limit });
    return c.json({ ...ranks, board: shown(ranks.board) }, 200, noStore);
  });
