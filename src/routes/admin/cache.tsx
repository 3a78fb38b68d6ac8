import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { sparkline } from "../../lib/dashboard/index.ts";
import { type RouteStats, readStats } from "../../lib/gateway/stats.ts";
import { namespace } from "../../lib/keys.ts";
import { Layout, Svg } from "./layout.tsx";

const MINUTES = 60;

/** Hits (fresh and stale) over every lookup that could have hit, in percent; undefined when none. */
export function hitRatio(stats: RouteStats): number | undefined {
  const served = stats.hits + stats.staleHits;
  const total = served + stats.misses;
  return total === 0 ? undefined : Math.round((served / total) * 1000) / 10;
}

function CachePage(props: {
  rows: { route: string; stats: RouteStats; ratio?: number; perMinute: number[] }[];
  configured: string[];
}) {
  return (
    <Layout title="Cache" section="cache">
      <h1>Cache</h1>
      <section class="card">
        <h2>Gateway routes, last {MINUTES} minutes</h2>
        <p class="muted">
          Counted per isolate and flushed every 10 s; hit ratio = (hits + stale hits) / (hits + stale hits + misses).
        </p>
        {props.rows.length === 0 ? (
          <p class="muted">
            No gateway traffic counted yet.{" "}
            {props.configured.length === 0 ? "GATEWAY_ROUTES is empty." : `Routes: ${props.configured.join(", ")}.`}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Route</th>
                <th>Hit ratio</th>
                <th>Per minute</th>
                <th>Hits</th>
                <th>Stale</th>
                <th>Misses</th>
                <th>Fills</th>
                <th>Fenced</th>
                <th>Origin errors</th>
                <th>Bypassed</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((row) => (
                <tr>
                  <td>{row.route}</td>
                  <td>{row.ratio === undefined ? "–" : `${row.ratio}%`}</td>
                  <td>
                    <Svg markup={sparkline(row.perMinute, `Hit ratio per minute of ${row.route}, percent`)} />
                  </td>
                  <td>{row.stats.hits}</td>
                  <td>{row.stats.staleHits}</td>
                  <td>{row.stats.misses}</td>
                  <td>{row.stats.fills}</td>
                  <td>{row.stats.fencedFills}</td>
                  <td>{row.stats.originErrors}</td>
                  <td>{row.stats.bypasses}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}

/** Cache: per gateway route, the hit ratio over the last hour, per minute, and the counts. */
export const cachePages = new Hono<AppEnv>().get("/admin/cache", async (c) => {
  const config = c.get("config");
  const { routes, series } = await readStats(c.get("redis"), namespace(config), c.get("clock").now(), MINUTES);
  const rows = Object.keys(routes)
    .sort()
    .map((route) => {
      const stats = routes[route] as RouteStats;
      const ratio = hitRatio(stats);
      const perMinute = series.map((minute) => {
        const counted = minute.routes[route];
        return counted ? (hitRatio(counted) ?? 0) : 0;
      });
      return { route, stats, perMinute, ...(ratio === undefined ? {} : { ratio }) };
    });
  return c.html(<CachePage rows={rows} configured={config.GATEWAY_ROUTES.map((r) => r.name)} />);
});
