import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { barList, dailyChart } from "../../lib/dashboard/index.ts";
import {
  type PageViews,
  pageIdProblem,
  readViews,
  TOP_PERIODS,
  type TopPeriod,
  topPages,
} from "../../lib/views/index.ts";
import { Layout, Svg } from "./layout.tsx";

const TOP_SHOWN = 20;
const CHART_DAYS = 30;

const isPeriod = (value: string | undefined): value is TopPeriod =>
  value !== undefined && Object.hasOwn(TOP_PERIODS, value);

function ViewsPage(props: { period: TopPeriod; top: { page: string; views: number }[]; chosen?: PageViews }) {
  const { chosen } = props;
  return (
    <Layout title="Views" section="views">
      <h1>Views</h1>
      <section class="card">
        <h2>Top pages</h2>
        <p>
          {Object.keys(TOP_PERIODS).map((p) => (
            <>{p === props.period ? <b>{p}</b> : <a href={`/admin/views?period=${p}`}>{p}</a>} </>
          ))}
        </p>
        <Svg
          markup={barList(
            props.top.map((p) => ({ label: p.page, value: p.views })),
            `Most viewed pages, ${props.period}`,
          )}
        />
        <ul>
          {props.top.map((p) => (
            <li>
              <a href={`/admin/views?period=${props.period}&page=${encodeURIComponent(p.page)}`}>{p.page}</a>{" "}
              <span class="muted">{p.views} views</span>
            </li>
          ))}
        </ul>
      </section>
      {chosen ? (
        <section class="card">
          <h2>{chosen.page}</h2>
          <div class="stats">
            <div>
              <b>{chosen.views}</b>views, all time
            </div>
            <div>
              <b>{chosen.range.views}</b>last {chosen.range.days} days
            </div>
            <div>
              <b>{chosen.range.uniques}</b>unique visitors
            </div>
            <div>
              <b>{chosen.range.bots}</b>bot hits
            </div>
          </div>
          <Svg
            markup={dailyChart(
              [...chosen.perDay].reverse().map((d) => ({ day: d.day, value: d.views })),
              `Views per day of ${chosen.page}`,
              "views",
            )}
          />
        </section>
      ) : null}
    </Layout>
  );
}

/** Views: top pages over a period, and the daily chart of one page (the top one unless chosen). */
export const viewPages = new Hono<AppEnv>().get("/admin/views", async (c) => {
  const redis = c.get("redis");
  const config = c.get("config");
  const now = c.get("clock").now();
  const requested = c.req.query("period");
  const period: TopPeriod = isPeriod(requested) ? requested : "7d";
  const asked = c.req.query("page");
  const page = asked !== undefined && pageIdProblem(asked) === undefined ? asked : undefined;
  const days = Math.min(CHART_DAYS, config.VIEWS_RETENTION_DAYS);
  // With a page asked for, both reads go out in one tick; otherwise the chart follows the top page.
  const [top, chosenViews] = await Promise.all([
    topPages(redis, config, { period, limit: TOP_SHOWN, now }),
    page ? readViews(redis, config, { page, days, now }) : undefined,
  ]);
  const first = top.pages[0]?.page;
  const chosen = chosenViews ?? (first ? await readViews(redis, config, { page: first, days, now }) : undefined);
  return c.html(<ViewsPage period={period} top={top.pages} chosen={chosen} />);
});
