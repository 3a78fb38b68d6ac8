import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import {
  type DeadLetter,
  JOB_ID,
  listDeadLetters,
  listQueues,
  purgeDeadLetters,
  putQueue,
  QUEUE_NAME,
  type QueueStats,
  queueStats,
  replayDeadLetters,
} from "../../lib/jobs/index.ts";
import { Layout, Notice } from "./layout.tsx";
import { NotFoundPage } from "./not-found.tsx";

const DLQ_SHOWN = 50;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** A one-button form that posts to `action` (the dashboard's CSRF checks apply to it). */
function ActionForm(props: { action: string; label: string; fields?: Record<string, string>; danger?: boolean }) {
  return (
    <form method="post" action={props.action} class="inline">
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.danger ? "danger" : "secondary"}>
        {props.label}
      </button>
    </form>
  );
}

function QueuesPage(props: { queues: { name: string; stats: QueueStats | undefined }[] }) {
  return (
    <Layout title="Queues" section="queues">
      <h1>Queues</h1>
      <section class="card scroll">
        <table>
          <thead>
            <tr>
              <th>Queue</th>
              <th>Due</th>
              <th>Pending</th>
              <th>Delayed</th>
              <th>Dead letters</th>
              <th class="hide-sm">Disabled endpoints</th>
            </tr>
          </thead>
          <tbody>
            {props.queues.length === 0 ? (
              <tr>
                <td colspan={6} class="muted">
                  {"No queues yet: create one with PUT /api/queues/{queue}."}
                </td>
              </tr>
            ) : null}
            {props.queues.map(({ name, stats }) => (
              <tr data-queue={name}>
                <td>
                  <a href={`/admin/queues/${name}`}>{name}</a>
                </td>
                <td>{stats?.due ?? 0}</td>
                <td>{stats?.pending ?? 0}</td>
                <td>{stats?.delayed ?? 0}</td>
                <td>{stats?.dlq ?? 0}</td>
                <td class="hide-sm">{stats?.disabledEndpoints.length ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

function QueuePage(props: { name: string; stats: QueueStats; letters: DeadLetter[]; notice?: string }) {
  const { name, stats } = props;
  const base = `/admin/queues/${name}`;
  return (
    <Layout title={`Queue ${name}`} section="queues">
      <h1>Queue {name}</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <section class="card">
        <div class="stats">
          <div>
            <b>{stats.due}</b>due
          </div>
          <div>
            <b>{stats.pending}</b>pending
          </div>
          <div>
            <b>{stats.delayed}</b>delayed
          </div>
          <div>
            <b>{stats.dlq}</b>dead letters
          </div>
          <div>
            <b>{Math.round(stats.lagMs / 1000)} s</b>lag
          </div>
        </div>
      </section>
      {stats.disabledEndpoints.length > 0 ? (
        <section class="card">
          <h2>Disabled endpoints</h2>
          <ul>
            {stats.disabledEndpoints.map((e) => (
              <li data-endpoint={e.endpoint}>
                {e.endpoint}{" "}
                <span class="muted">
                  since {iso(e.disabledAt)}: {e.reason}
                </span>{" "}
                <ActionForm action={`${base}/endpoints/enable`} label="Enable" fields={{ endpoint: e.endpoint }} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="card scroll">
        <h2>Dead letters</h2>
        {props.letters.length > 0 ? (
          <p>
            <ActionForm action={`${base}/dlq/replay`} label="Replay all" />{" "}
            <ActionForm action={`${base}/dlq/purge`} label="Purge all" danger />
          </p>
        ) : null}
        <table>
          <thead>
            <tr>
              <th>Job</th>
              <th>Reason</th>
              <th class="hide-sm">Target or type</th>
              <th class="hide-sm">Last attempt</th>
              <th>When</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.letters.length === 0 ? (
              <tr>
                <td colspan={6} class="muted">
                  No dead letters.
                </td>
              </tr>
            ) : null}
            {props.letters.map((letter) => {
              const last = letter.state?.history.at(-1);
              return (
                <tr data-job={letter.id}>
                  <td>
                    <code>{letter.id}</code>
                    <div class="muted">{letter.state?.attempts ?? 0} attempts</div>
                  </td>
                  <td>{letter.reason}</td>
                  <td class="hide-sm">
                    {letter.spec?.kind === "webhook" ? letter.spec.target : (letter.spec?.type ?? "")}
                  </td>
                  <td class="hide-sm muted">{last ? (last.error ?? String(last.status)) : ""}</td>
                  <td class="muted">{iso(letter.at)}</td>
                  <td>
                    <ActionForm action={`${base}/dlq/replay`} label="Replay" fields={{ id: letter.id }} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

/** The form's `id`: one job id, or none for "all". */
function chosenIds(body: Record<string, unknown>): string[] | "all" | undefined {
  const id = body.id;
  if (id === undefined) return "all";
  return typeof id === "string" && JOB_ID.test(id) ? [id] : undefined;
}

/** The dashboard's queue pages: counters per queue, dead letters with replay and purge buttons. */
export const queuePages = new Hono<AppEnv>()
  .get("/admin/queues", async (c) => {
    const redis = c.get("redis");
    const config = c.get("config");
    const now = c.get("clock").now();
    const names = await listQueues(redis, config);
    const queues = await Promise.all(
      names.map(async (name) => ({ name, stats: await queueStats(redis, config, name, now) })),
    );
    return c.html(<QueuesPage queues={queues} />);
  })
  .get("/admin/queues/:queue", async (c) => {
    const name = c.req.param("queue");
    if (!QUEUE_NAME.test(name)) return c.html(<NotFoundPage section="queues" what="queue" />, 404);
    const redis = c.get("redis");
    const config = c.get("config");
    const [stats, letters] = await Promise.all([
      queueStats(redis, config, name, c.get("clock").now()),
      listDeadLetters(redis, config, name, { limit: DLQ_SHOWN }),
    ]);
    if (!stats) return c.html(<NotFoundPage section="queues" what="queue" />, 404);
    const done = c.req.query("done");
    const notice =
      done === "replayed"
        ? `Replayed ${c.req.query("n") ?? 0} dead letters.`
        : done === "purged"
          ? `Purged ${c.req.query("n") ?? 0} dead letters.`
          : done === "enabled"
            ? "Endpoint enabled."
            : undefined;
    return c.html(<QueuePage name={name} stats={stats} letters={letters} {...(notice ? { notice } : {})} />);
  })
  .post("/admin/queues/:queue/dlq/:action{replay|purge}", async (c) => {
    const name = c.req.param("queue");
    if (!QUEUE_NAME.test(name)) return c.html(<NotFoundPage section="queues" what="queue" />, 404);
    const ids = chosenIds(await c.req.parseBody());
    if (!ids) return c.html(<NotFoundPage section="queues" what="dead letter" />, 404);
    const redis = c.get("redis");
    const config = c.get("config");
    const n =
      c.req.param("action") === "replay"
        ? (await replayDeadLetters(redis, config, name, ids, c.get("clock").now())).length
        : await purgeDeadLetters(redis, config, name, ids);
    return c.redirect(
      `/admin/queues/${name}?done=${c.req.param("action") === "replay" ? "replayed" : "purged"}&n=${n}`,
      303,
    );
  })
  .post("/admin/queues/:queue/endpoints/enable", async (c) => {
    const name = c.req.param("queue");
    const endpoint = (await c.req.parseBody()).endpoint;
    if (!QUEUE_NAME.test(name) || typeof endpoint !== "string") {
      return c.html(<NotFoundPage section="queues" what="queue" />, 404);
    }
    const redis = c.get("redis");
    const config = c.get("config");
    if (!(await queueStats(redis, config, name, c.get("clock").now()))) {
      return c.html(<NotFoundPage section="queues" what="queue" />, 404);
    }
    await putQueue(redis, config, name, { enableEndpoints: [endpoint] }, c.get("clock").now());
    return c.redirect(`/admin/queues/${name}?done=enabled`, 303);
  });
