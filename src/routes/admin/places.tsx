import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { type ScatterShape, scatterPlot } from "../../lib/dashboard/scatter.ts";
import {
  type Fence,
  listFences,
  listPlaces,
  listSets,
  type Place,
  readSet,
  SET_PATTERN,
  type SetInfo,
} from "../../lib/places/index.ts";
import { Layout, Svg } from "./layout.tsx";
import { NotFoundPage } from "./not-found.tsx";

/** Places shown on a set's page (table and plot). */
const SHOWN = 200;

const when = (iso: string | null) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "never");

function SetsPage(props: { sets: { set: string; writtenAt: number }[] }) {
  return (
    <Layout title="Places" section="places">
      <h1>Places</h1>
      <section class="card">
        <h2>Sets</h2>
        {props.sets.length === 0 ? (
          <p class="muted">
            No sets yet: PUT /api/places/{"{set}"}/{"{id}"} creates one.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Set</th>
                <th>Last write</th>
              </tr>
            </thead>
            <tbody>
              {props.sets.map((s) => (
                <tr>
                  <td>
                    <a href={`/admin/places/${s.set}`}>{s.set}</a>
                  </td>
                  <td class="muted">{when(new Date(s.writtenAt).toISOString())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}

const shapeOf = (fence: Fence): ScatterShape =>
  fence.type === "circle"
    ? { type: "circle", lat: fence.lat, lon: fence.lon, radius: fence.radius, label: `fence ${fence.id}` }
    : { type: "polygon", points: fence.points, label: `fence ${fence.id}` };

function SetPage(props: { info: SetInfo; places: (Place & { fences: string[] })[]; fences: Fence[] }) {
  const { info, places, fences } = props;
  const plot = scatterPlot(
    places.map((p) => ({ lat: p.lat, lon: p.lon, label: `${p.id} (${p.lat}, ${p.lon})`, live: p.expiresAt !== null })),
    fences.map(shapeOf),
    `Positions of set ${info.set}: places kept until deleted in green, live positions in orange, fences in blue`,
  );
  return (
    <Layout title={`Places: ${info.set}`} section="places">
      <h1>{info.set}</h1>
      <div class="stats">
        <div>
          <b>{info.places}</b>places
        </div>
        <div>
          <b>{info.live}</b>live positions
        </div>
        <div>
          <b>{info.fences}</b>fences
        </div>
        <div>
          <b>{info.settings.nearby}</b>nearby searches
        </div>
      </div>
      <section class="card">
        <h2>Map</h2>
        <Svg markup={plot} />
        {info.places > places.length ? (
          <p class="muted">
            The first {places.length} live places of {info.places} are shown.
          </p>
        ) : null}
      </section>
      <section class="card">
        <h2>Places</h2>
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Lat, lon</th>
              <th>Expires</th>
              <th>Inside</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {places.map((p) => (
              <tr>
                <td>{p.id}</td>
                <td>
                  {p.lat}, {p.lon}
                </td>
                <td class="muted">{when(p.expiresAt)}</td>
                <td>{p.fences.join(", ")}</td>
                <td class="muted">{JSON.stringify(p.data).slice(0, 120)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Fences</h2>
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Shape</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {fences.map((f) => (
              <tr>
                <td>{f.id}</td>
                <td>
                  {f.type === "circle"
                    ? `circle of ${f.radius} m around ${f.lat}, ${f.lon}`
                    : `polygon of ${f.points.length} points`}
                </td>
                <td class="muted">{when(f.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

/** Places: the sets, and per set a plot of its positions and fences with tables of both. */
export const placePages = new Hono<AppEnv>()
  .get("/admin/places", async (c) => c.html(<SetsPage sets={await listSets(c.get("redis"), c.get("config"))} />))
  .get("/admin/places/:set", async (c) => {
    const set = c.req.param("set");
    if (!SET_PATTERN.test(set)) return c.html(<NotFoundPage section="places" what="set" />, 404);
    const redis = c.get("redis");
    const config = c.get("config");
    const now = c.get("clock").now();
    // Issued in one tick: one /pipeline for the counts and the fences, beside the list script.
    const [info, places, fences] = await Promise.all([
      readSet(redis, config, { set, now }),
      listPlaces(redis, config, { set, count: SHOWN, now }),
      listFences(redis, config, set),
    ]);
    return c.html(<SetPage info={info} places={places} fences={fences} />);
  });
