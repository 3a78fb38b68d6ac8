import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { AppError } from "../../lib/errors.ts";
import { type Board, listBoards, type Page, readTop } from "../../lib/leaderboards/index.ts";
import { BOARD_KEY } from "../../lib/leaderboards/schema.ts";
import { Layout } from "./layout.tsx";
import { NotFoundPage } from "./not-found.tsx";

const TOP_SHOWN = 10;

/** "3 d 4 h", "5 h 12 min", "42 s": the time left until a period resets. */
export function timeLeft(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min` : `${s} s`;
}

function BoardsPage(props: { boards: Board[] }) {
  return (
    <Layout title="Leaderboards" section="leaderboards">
      <h1>Leaderboards</h1>
      <section class="card scroll">
        <table>
          <thead>
            <tr>
              <th>Board</th>
              <th>Rule</th>
              <th>Windows</th>
              <th class="hide-sm">Time zone</th>
              <th class="hide-sm">Ties</th>
            </tr>
          </thead>
          <tbody>
            {props.boards.length === 0 ? (
              <tr>
                <td colspan={5} class="muted">
                  No boards yet: create one with PUT /api/leaderboards/&#123;board&#125;.
                </td>
              </tr>
            ) : (
              props.boards.map((b) => (
                <tr>
                  <td>
                    <a href={`/admin/leaderboards/${b.key}`}>{b.key}</a>
                  </td>
                  <td>
                    {b.rule}, {b.order} is better
                  </td>
                  <td>{b.windows.join(", ")}</td>
                  <td class="hide-sm">{b.timeZone}</td>
                  <td class="hide-sm">{b.ties}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

function BoardPage(props: { board: Board; pages: Page[]; now: number }) {
  const { board } = props;
  return (
    <Layout title={board.key} section="leaderboards">
      <h1>{board.key}</h1>
      <p class="muted">
        {board.rule}, {board.order} is better, ties {board.ties}, {board.timeZone}, scores {board.range.min} to{" "}
        {board.range.max}, submitted by{" "}
        {board.submit === "server" ? "the server only" : "the server or the session's user"}
      </p>
      {props.pages.map((page) => (
        <section class="card scroll">
          <h2>
            {page.window === "all" ? "All time" : `${page.window} ${page.period}`}{" "}
            <span class="muted">
              {page.total} members
              {page.endsAt ? `, resets in ${timeLeft(Date.parse(page.endsAt) - props.now)} (${page.endsAt})` : ""}
            </span>
          </h2>
          <table>
            <thead>
              <tr>
                <th class="num">Rank</th>
                <th>Member</th>
                <th class="num">Score</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.length === 0 ? (
                <tr>
                  <td colspan={3} class="muted">
                    No scores in this period yet.
                  </td>
                </tr>
              ) : (
                page.entries.map((row) => (
                  <tr>
                    <td class="num">{row.rank}</td>
                    <td>{row.member}</td>
                    <td class="num">{row.score}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </section>
      ))}
    </Layout>
  );
}

/** Leaderboards: the list, and one board's top of each window with the time until it resets. */
export const leaderboardPages = new Hono<AppEnv>()
  .get("/admin/leaderboards", async (c) => {
    return c.html(<BoardsPage boards={await listBoards(c.get("redis"), c.get("config"))} />);
  })
  .get("/admin/leaderboards/:board", async (c) => {
    const key = c.req.param("board");
    const notFound = () => c.html(<NotFoundPage section="leaderboards" what="leaderboard" />, 404);
    if (!BOARD_KEY.test(key)) return notFound();
    const [redis, config, now] = [c.get("redis"), c.get("config"), c.get("clock").now()];
    try {
      const first = await readTop(redis, config, key, { now, offset: 0, count: TOP_SHOWN });
      // The other windows go out in one tick: one auto-pipelined round trip.
      const rest = await Promise.all(
        first.board.windows
          .slice(1)
          .map((window) => readTop(redis, config, key, { window, now, offset: 0, count: TOP_SHOWN })),
      );
      return c.html(<BoardPage board={first.board} pages={[first, ...rest]} now={now} />);
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found") return notFound();
      throw error;
    }
  });
