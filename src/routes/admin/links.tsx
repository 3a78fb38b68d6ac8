import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { barList, dailyChart, sparkline } from "../../lib/dashboard/index.ts";
import { AppError, type FieldError } from "../../lib/errors.ts";
import type { LinkContext } from "../../lib/links/context.ts";
import { createLink } from "../../lib/links/create-link.ts";
import { getLink } from "../../lib/links/get-link.ts";
import { linkQr } from "../../lib/links/link-qr.ts";
import { type LinkStats, linkStats } from "../../lib/links/link-stats.ts";
import { CURSOR_PATTERN, listLinks } from "../../lib/links/list-links.ts";
import { type Link, linkInputSchema, slugParamSchema } from "../../lib/links/schema.ts";
import { describeErrors, formErrorStatus, formErrorsOf, readForm } from "./form.ts";
import { Layout, Notice, Svg } from "./layout.tsx";
import { NotFoundPage } from "./not-found.tsx";

const PAGE_SIZE = 25;
const SPARK_DAYS = 14;
const DETAIL_DAYS = 30;

const linkContext = (c: Context<AppEnv>): LinkContext => ({ now: c.get("clock").now(), requestUrl: c.req.url });

/** The create form's fields, as typed: empty means "not set". Checked again, whole, by linkInputSchema. */
const createForm = z.object({
  url: z.string().max(4096),
  slug: z.string().max(128).optional(),
  maxClicks: z.string().max(16).optional(),
  expiresAt: z.string().max(32).optional(),
});
type CreateForm = z.infer<typeof createForm>;

/** Form fields to the API's link input; a datetime-local value is read as UTC. */
function toLinkInput(form: CreateForm): Record<string, unknown> {
  const input: Record<string, unknown> = { url: form.url.trim() };
  if (form.slug?.trim()) input.slug = form.slug.trim();
  if (form.maxClicks?.trim()) input.maxClicks = Number(form.maxClicks.trim());
  const expires = form.expiresAt?.trim();
  if (expires) input.expiresAt = /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(expires) ? `${expires}:00Z` : expires;
  return input;
}

/** Stats of a listed link, or undefined when it was deleted between the two reads. */
const statsOrNothing = (promise: Promise<LinkStats>) =>
  promise.catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") return undefined;
    throw error;
  });

function CreateLinkForm(props: { values?: CreateForm; errors?: FieldError[] }) {
  const v = props.values;
  return (
    <section class="card">
      <h2>New link</h2>
      {props.errors ? (
        <Notice kind="error">
          {describeErrors(props.errors).map((line) => (
            <div>{line}</div>
          ))}
        </Notice>
      ) : null}
      <form method="post" action="/admin/links" class="fields">
        <div style="grid-column:1/-1">
          <label for="url">Target URL</label>
          <input id="url" name="url" type="url" required maxlength={2048} value={v?.url ?? ""} />
        </div>
        <div>
          <label for="slug">Custom slug (optional)</label>
          <input id="slug" name="slug" maxlength={64} pattern="[A-Za-z0-9_\-]{1,64}" value={v?.slug ?? ""} />
        </div>
        <div>
          <label for="maxClicks">Max clicks (optional)</label>
          <input id="maxClicks" name="maxClicks" type="number" min="1" value={v?.maxClicks ?? ""} />
        </div>
        <div>
          <label for="expiresAt">Expires, UTC (optional)</label>
          <input id="expiresAt" name="expiresAt" type="datetime-local" value={v?.expiresAt ?? ""} />
        </div>
        <div>
          <button type="submit">Create link</button>
        </div>
      </form>
    </section>
  );
}

function LinksPage(props: {
  links: Link[];
  stats: (LinkStats | undefined)[];
  nextCursor: string | null;
  form?: { values: CreateForm; errors: FieldError[] };
}) {
  return (
    <Layout title="Links" section="links">
      <h1>Links</h1>
      <CreateLinkForm values={props.form?.values} errors={props.form?.errors} />
      <section class="card scroll">
        <table>
          <thead>
            <tr>
              <th>Short link</th>
              <th class="hide-sm">Target</th>
              <th class="num">Clicks</th>
              <th>Last {SPARK_DAYS} days</th>
            </tr>
          </thead>
          <tbody>
            {props.links.length === 0 ? (
              <tr>
                <td colspan={4} class="muted">
                  No links yet.
                </td>
              </tr>
            ) : null}
            {props.links.map((link, i) => {
              const daily = props.stats[i]?.daily.map((d) => d.clicks) ?? [];
              return (
                <tr data-slug={link.slug}>
                  <td>
                    <a href={`/admin/links/${link.slug}`}>{link.slug}</a>
                  </td>
                  <td class="url hide-sm" title={link.url}>
                    {link.url}
                  </td>
                  <td class="num" data-clicks>
                    {link.clicks}
                  </td>
                  <td>
                    <Svg markup={sparkline(daily, `Human clicks per day on ${link.slug}, last ${SPARK_DAYS} days`)} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {props.nextCursor ? (
          <p>
            <a href={`/admin/links?cursor=${encodeURIComponent(props.nextCursor)}`}>Older links →</a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

function LinkPage(props: { link: Link; stats: LinkStats; qr: string; created: boolean }) {
  const { link, stats } = props;
  return (
    <Layout title={link.slug} section="links">
      <p>
        <a href="/admin/links">← Links</a>
      </p>
      <h1>{link.slug}</h1>
      {props.created ? <Notice kind="ok">Link created.</Notice> : null}
      <div class="grid2">
        <section class="card">
          <p>
            <a href={link.shortUrl}>{link.shortUrl}</a>
          </p>
          <p class="url" title={link.url}>
            → {link.url}
          </p>
          <div class="stats">
            <div>
              <b data-clicks>{link.clicks}</b>all clicks
            </div>
            <div>
              <b>{stats.clicks}</b>human
            </div>
            <div>
              <b>{stats.botClicks}</b>bots
            </div>
            <div>
              <b>{stats.uniqueVisitors}</b>unique visitors
            </div>
          </div>
          <p class="muted">
            Created {link.createdAt}
            {link.expiresAt ? `; expires ${link.expiresAt}` : ""}
            {link.maxClicks ? `; at most ${link.maxClicks} clicks` : ""}
            {link.hasPassword ? "; password protected" : ""}
          </p>
        </section>
        <section class="card">
          <h2>QR code</h2>
          <Svg markup={props.qr.replace("<svg", '<svg class="qr" role="img" aria-label="QR code of the short link"')} />
        </section>
      </div>
      <section class="card">
        <h2>Human clicks per day, last {DETAIL_DAYS} days</h2>
        <Svg
          markup={dailyChart(
            stats.daily.map((d) => ({ day: d.day, value: d.clicks })),
            `Human clicks per day on ${link.slug}`,
          )}
        />
      </section>
      <div class="grid2">
        <section class="card">
          <h2>Top referrers</h2>
          <Svg
            markup={barList(
              stats.referrers.map((r) => ({ label: r.host, value: r.clicks })),
              "Top referrers",
            )}
          />
        </section>
        <section class="card">
          <h2>Top countries</h2>
          <Svg
            markup={barList(
              stats.countries.map((r) => ({ label: r.country, value: r.clicks })),
              "Top countries",
            )}
          />
        </section>
      </div>
    </Layout>
  );
}

async function renderList(c: Context<AppEnv>, form?: { values: CreateForm; errors: FieldError[]; status?: 409 | 422 }) {
  const raw = c.req.query("cursor");
  const cursor = raw && CURSOR_PATTERN.test(raw) ? raw : undefined;
  const redis = c.get("redis");
  const config = c.get("config");
  const now = c.get("clock").now();
  const page = await listLinks(redis, config, { cursor, limit: PAGE_SIZE }, linkContext(c));
  // One pipeline for every link's stats: issued in the same tick.
  const stats = await Promise.all(
    page.links.map((link) => statsOrNothing(linkStats(redis, config, { slug: link.slug, days: SPARK_DAYS, now }))),
  );
  return c.html(
    <LinksPage links={page.links} stats={stats} nextCursor={page.nextCursor} form={form} />,
    form ? (form.status ?? 422) : 200,
  );
}

/** Links: the list with sparklines and the create form, and one link's page with its charts. */
export const linkPages = new Hono<AppEnv>()
  .get("/admin/links", (c) => renderList(c))
  .post("/admin/links", async (c) => {
    const form = await readForm(c, createForm);
    if (!form.ok) return renderList(c, { values: { url: "" }, errors: form.errors });
    const input = linkInputSchema.safeParse(toLinkInput(form.value));
    if (!input.success) {
      const errors = input.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
      return renderList(c, { values: form.value, errors });
    }
    try {
      const link = await createLink(c.get("redis"), c.get("config"), input.data, linkContext(c));
      return c.redirect(`/admin/links/${link.slug}?created=1`, 303);
    } catch (error) {
      return renderList(c, { values: form.value, errors: formErrorsOf(error), status: formErrorStatus(error) });
    }
  })
  .get("/admin/links/:slug", async (c) => {
    const slug = slugParamSchema.safeParse(c.req.param("slug"));
    if (!slug.success) return c.html(<NotFoundPage section="links" what="link" />, 404);
    const redis = c.get("redis");
    const config = c.get("config");
    const context = linkContext(c);
    try {
      // Issued in one tick: one pipeline.
      const [link, stats, qr] = await Promise.all([
        getLink(redis, config, slug.data, context),
        linkStats(redis, config, { slug: slug.data, days: DETAIL_DAYS, now: context.now }),
        linkQr(redis, config, slug.data, context),
      ]);
      return c.html(<LinkPage link={link} stats={stats} qr={qr} created={c.req.query("created") === "1"} />);
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found") {
        return c.html(<NotFoundPage section="links" what="link" />, 404);
      }
      throw error;
    }
  });
