import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { publishEvent } from "../../lib/channels/publish-event.ts";
import { readHistory } from "../../lib/channels/read-history.ts";
import type { ChannelEvent } from "../../lib/channels/replay.ts";
import { ADMIN_USER_ID } from "../../lib/dashboard/admin-session.ts";
import { type ListedNotification, listNotifications, mark, notify } from "../../lib/inbox/inbox.ts";
import { type Member, roster } from "../../lib/presence/presence.ts";
import { describeErrors, readForm } from "./form.ts";
import { Layout, Notice } from "./layout.tsx";

/** The demo's channel and room; the inbox is the dashboard user's own (user:{ADMIN_USER_ID}). */
export const DEMO_CHANNEL = "public:demo";
export const DEMO_ROOM = "dashboard";

interface DemoProps {
  events: ChannelEvent[];
  members: Member[];
  count: number;
  inbox: ListedNotification[];
  unread: number;
  errors?: string[];
}

function DemoPage(props: DemoProps) {
  const newest = props.inbox[0]?.id ?? 0;
  return (
    <Layout title="Realtime" section="realtime">
      <h1>Realtime</h1>
      <p class="muted">
        One EventSource carries {DEMO_CHANNEL}, presence:{DEMO_ROOM} and your inbox channel (updates live with
        JavaScript; the forms work without it).
      </p>
      {props.errors ? <Notice kind="error">{props.errors.join("; ")}</Notice> : null}
      <section class="card">
        <h2>Channel {DEMO_CHANNEL}</h2>
        <form method="post" action="/admin/realtime/publish">
          <input name="text" required maxlength={200} placeholder="A message" aria-label="Message" />
          <button type="submit">Publish</button>
        </form>
        <ul id="rt-events">
          {props.events.map((e) => (
            <li>{`${e.id} ${e.event}: ${JSON.stringify(e.data)}`}</li>
          ))}
        </ul>
      </section>
      <section class="card">
        <h2>
          Room {DEMO_ROOM}: <span id="rt-count">{props.count}</span> present
        </h2>
        <ul id="rt-members">
          {props.members.map((m) => (
            <li>{m.member}</li>
          ))}
        </ul>
      </section>
      <section class="card">
        <h2>
          Inbox: <span id="rt-unread">{props.unread}</span> unread
        </h2>
        <form method="post" action="/admin/realtime/notify">
          <input name="title" required maxlength={200} placeholder="A notification" aria-label="Title" />
          <button type="submit">Notify me</button>
        </form>
        <form method="post" action="/admin/realtime/read">
          <input type="hidden" name="upTo" value={String(newest)} />
          <button type="submit" disabled={newest === 0}>
            Mark all read
          </button>
        </form>
        <ul id="rt-inbox">
          {props.inbox.map((n) => (
            <li>{`${n.unread ? "● " : ""}${n.title}`}</li>
          ))}
        </ul>
      </section>
      <script src="/client.js" />
      <script src="/admin/realtime.js" data-user={ADMIN_USER_ID} />
    </Layout>
  );
}

/** The page's own script: one subscription for all three parts, and a heartbeat into the room. */
const DEMO_SCRIPT = `(function () {
  var user = document.currentScript.dataset.user;
  function add(list, text) {
    var li = document.createElement("li"); li.textContent = text;
    var ul = document.getElementById(list); ul.insertBefore(li, ul.firstChild);
  }
  edgekit.subscribe(["${DEMO_CHANNEL}", "presence:${DEMO_ROOM}", "user:" + user], {
    note: function (data, meta) { add("rt-events", meta.id + " note: " + JSON.stringify(data)); },
    presence: function (data) {
      document.getElementById("rt-count").textContent = data.count;
      data.joins.forEach(function (j) { add("rt-members", j.member + " joined"); });
      data.leaves.forEach(function (l) { add("rt-members", l.member + " left (" + l.reason + ")"); });
    },
    inbox: function (data) {
      document.getElementById("rt-unread").textContent = data.counts.unread;
      if (data.notification) add("rt-inbox", "● " + data.notification.title);
    }
  }, { onGap: function () { location.reload(); } });
  edgekit.presence("${DEMO_ROOM}", { onBeat: function (r) { document.getElementById("rt-count").textContent = r.count; } });
})();
`;

async function demoProps(c: Context<AppEnv>): Promise<DemoProps> {
  const [redis, config, now] = [c.get("redis"), c.get("config"), c.get("clock").now()];
  const [history, present, inbox] = await Promise.all([
    readHistory(redis, config, { channel: DEMO_CHANNEL, limit: 1000 }),
    roster(redis, config, { room: DEMO_ROOM, now, limit: 50 }),
    listNotifications(redis, config, { userId: ADMIN_USER_ID, status: "all", limit: 20 }),
  ]);
  return {
    events: history.events.slice(-20).reverse(),
    members: present.members,
    count: present.count,
    inbox: inbox.notifications,
    unread: inbox.counts.unread,
  };
}

const text = (name: string) => z.object({ [name]: z.string().trim().min(1, "write something").max(200) });

/** The realtime demo: a channel, a room's presence and the dashboard user's inbox, live. */
export const realtimePages = new Hono<AppEnv>()
  .get("/admin/realtime", async (c) => c.html(<DemoPage {...(await demoProps(c))} />))
  .get("/admin/realtime.js", (c) => c.body(DEMO_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }))
  .post("/admin/realtime/publish", async (c) => {
    const form = await readForm(c, text("text"));
    if (!form.ok) return c.html(<DemoPage {...(await demoProps(c))} errors={describeErrors(form.errors)} />, 422);
    await publishEvent(c.get("redis"), c.get("config"), {
      channel: DEMO_CHANNEL,
      event: "note",
      data: form.value.text,
    });
    return c.redirect("/admin/realtime", 303);
  })
  .post("/admin/realtime/notify", async (c) => {
    const form = await readForm(c, text("title"));
    if (!form.ok) return c.html(<DemoPage {...(await demoProps(c))} errors={describeErrors(form.errors)} />, 422);
    const title = String(form.value.title);
    await notify(c.get("redis"), c.get("config"), { userId: ADMIN_USER_ID, title, now: c.get("clock").now() });
    return c.redirect("/admin/realtime", 303);
  })
  .post("/admin/realtime/read", async (c) => {
    const form = await readForm(c, z.object({ upTo: z.coerce.number().int().min(1) }));
    if (form.ok)
      await mark(c.get("redis"), c.get("config"), { userId: ADMIN_USER_ID, action: "read", upTo: form.value.upTo });
    return c.redirect("/admin/realtime", 303);
  });
