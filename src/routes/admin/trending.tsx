import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { barList } from "../../lib/dashboard/index.ts";
import { AppError } from "../../lib/errors.ts";
import { listLists, readTrending, type Trending, type TrendingList } from "../../lib/trending/index.ts";
import { LIST_KEY } from "../../lib/trending/schema.ts";
import { Layout, Svg } from "./layout.tsx";
import { timeLeft } from "./leaderboards.tsx";
import { NotFoundPage } from "./not-found.tsx";

const TOP_SHOWN = 20;

function ListsPage(props: { lists: TrendingList[] }) {
  return (
    <Layout title="Trending" section="trending">
      <h1>Trending</h1>
      <section class="card scroll">
        <table>
          <thead>
            <tr>
              <th>List</th>
              <th class="num">Half-life</th>
              <th class="num">Cap</th>
              <th class="num hide-sm">Undo window</th>
            </tr>
          </thead>
          <tbody>
            {props.lists.length === 0 ? (
              <tr>
                <td colspan={4} class="muted">
                  No lists yet: create one with PUT /api/trending/&#123;list&#125;.
                </td>
              </tr>
            ) : (
              props.lists.map((l) => (
                <tr>
                  <td>
                    <a href={`/admin/trending/${l.key}`}>{l.key}</a>
                  </td>
                  <td class="num">{timeLeft(l.halfLifeSeconds * 1000)}</td>
                  <td class="num">{l.cap}</td>
                  <td class="num hide-sm">{l.undoSeconds === 0 ? "none" : timeLeft(l.undoSeconds * 1000)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

const heat = (value: number) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3));

function ListPage(props: { trending: Trending }) {
  const { list, items, total } = props.trending;
  return (
    <Layout title={list.key} section="trending">
      <h1>{list.key}</h1>
      <p class="muted">
        {total} items; heat halves every {timeLeft(list.halfLifeSeconds * 1000)}; at most {list.cap} kept
      </p>
      <section class="card">
        <Svg
          markup={barList(
            items.map((i) => ({ label: i.item, value: i.heat })),
            `Hottest items of ${list.key}`,
          )}
        />
        <table>
          <thead>
            <tr>
              <th class="num">Rank</th>
              <th>Item</th>
              <th class="num">Heat now</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr>
                <td class="num">{i.rank}</td>
                <td>{i.item}</td>
                <td class="num">{heat(i.heat)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

/** Trending: the lists, and one list's hottest items with their heat now. */
export const trendingPages = new Hono<AppEnv>()
  .get("/admin/trending", async (c) => c.html(<ListsPage lists={await listLists(c.get("redis"), c.get("config"))} />))
  .get("/admin/trending/:list", async (c) => {
    const list = c.req.param("list");
    const notFound = () => c.html(<NotFoundPage section="trending" what="trending list" />, 404);
    if (!LIST_KEY.test(list)) return notFound();
    try {
      const trending = await readTrending(c.get("redis"), c.get("config"), {
        list,
        limit: TOP_SHOWN,
        now: c.get("clock").now(),
      });
      return c.html(<ListPage trending={trending} />);
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found") return notFound();
      throw error;
    }
  });
