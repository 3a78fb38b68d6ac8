import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { barList, dailyChart, sparkline } from "../../lib/dashboard/index.ts";
import { linksFromCsv } from "../../lib/dashboard/link-csv.ts";
import { AppError, type FieldError } from "../../lib/errors.ts";
import type { LinkContext } from "../../lib/links/context.ts";
import { createLink } from "../../lib/links/create-link.ts";
import { type BulkResult, createLinks, MAX_BULK } from "../../lib/links/create-links.ts";
import { deleteLink } from "../../lib/links/delete-link.ts";
import { getLink } from "../../lib/links/get-link.ts";
import { linkQr } from "../../lib/links/link-qr.ts";
import { type LinkStats, linkStats } from "../../lib/links/link-stats.ts";
import { CURSOR_PATTERN } from "../../lib/links/list-links.ts";
import { type Link, linkInputSchema, linkPatchSchema, slugParamSchema } from "../../lib/links/schema.ts";
import { searchLinks } from "../../lib/links/search-links.ts";
import { updateLink } from "../../lib/links/update-link.ts";
import { ActionButton, ErrorSummary, Field, FieldMessage, fieldId, invalidProps, TextArea } from "./fields.tsx";
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
          <input
            id="url"
            name="url"
            type="url"
            required
            maxlength={2048}
            value={v?.url ?? ""}
            {...invalidProps(props.errors, "url")}
          />
          <FieldMessage errors={props.errors} name="url" />
        </div>
        <div>
          <label for="slug">Custom slug (optional)</label>
          <input
            id="slug"
            name="slug"
            maxlength={64}
            pattern="[A-Za-z0-9_\-]{1,64}"
            value={v?.slug ?? ""}
            {...invalidProps(props.errors, "slug")}
          />
          <FieldMessage errors={props.errors} name="slug" />
        </div>
        <div>
          <label for="maxClicks">Max clicks (optional)</label>
          <input
            id="maxClicks"
            name="maxClicks"
            type="number"
            min="1"
            value={v?.maxClicks ?? ""}
            {...invalidProps(props.errors, "maxClicks")}
          />
          <FieldMessage errors={props.errors} name="maxClicks" />
        </div>
        <div>
          <label for="expiresAt">Expires, UTC (optional)</label>
          <input
            id="expiresAt"
            name="expiresAt"
            type="datetime-local"
            value={v?.expiresAt ?? ""}
            {...invalidProps(props.errors, "expiresAt")}
          />
          <FieldMessage errors={props.errors} name="expiresAt" />
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
  search: ListSearch;
  deleted?: boolean;
  form?: { values: CreateForm; errors: FieldError[] };
}) {
  const { search } = props;
  const filtered = Boolean(search.q || search.tag);
  const pageLink = (cursor?: string) => {
    const params = new URLSearchParams();
    if (search.q) params.set("q", search.q);
    if (search.tag) params.set("tag", search.tag);
    if (cursor) params.set("cursor", cursor);
    const query = params.toString();
    return `/admin/links${query ? `?${query}` : ""}`;
  };
  return (
    <Layout title="Links" section="links">
      <h1>Links</h1>
      {props.deleted ? <Notice kind="ok">Link deleted.</Notice> : null}
      <p>
        <a href="/admin/bulk-links" class="button">
          Bulk create from CSV
        </a>
      </p>
      <CreateLinkForm values={props.form?.values} errors={props.form?.errors} />
      <section class="card">
        <h2>Find links</h2>
        <form method="get" action="/admin/links" class="fields">
          <div>
            <label for="q">Slug or URL contains</label>
            <input id="q" name="q" maxlength={200} value={search.q} />
          </div>
          <div>
            <label for="tag">Tag</label>
            <input id="tag" name="tag" maxlength={32} value={search.tag} />
          </div>
          <div class="actions" style="margin:0">
            <button type="submit" class="secondary">
              Search
            </button>
            {filtered ? <a href="/admin/links">Clear</a> : null}
          </div>
        </form>
      </section>
      <section class="card scroll">
        <table>
          <thead>
            <tr>
              <th>Short link</th>
              <th class="hide-sm">Target</th>
              <th class="hide-sm">Tags</th>
              <th class="num">Clicks</th>
              <th>Last {SPARK_DAYS} days</th>
            </tr>
          </thead>
          <tbody>
            {props.links.length === 0 ? (
              <tr>
                <td colspan={5} class="muted">
                  {filtered ? "No link matches." : "No links yet."}
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
                  <td class="hide-sm">{link.tags.join(", ")}</td>
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
        <nav class="actions" aria-label="Pages">
          {search.cursor ? <a href={pageLink()}>← First page</a> : null}
          {props.nextCursor ? (
            <a href={pageLink(props.nextCursor)} rel="next">
              Older links →
            </a>
          ) : null}
        </nav>
      </section>
    </Layout>
  );
}

function LinkPage(props: {
  link: Link;
  stats: LinkStats;
  qr: string;
  notice?: string;
  edit?: { values: EditForm; errors: FieldError[] };
  passwordErrors?: FieldError[];
}) {
  const { link, stats } = props;
  return (
    <Layout title={link.slug} section="links">
      <p>
        <a href="/admin/links">← Links</a>
      </p>
      <h1>{link.slug}</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
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
      <EditLinkForm link={link} values={props.edit?.values} errors={props.edit?.errors} />
      <PasswordForm link={link} errors={props.passwordErrors} />
      <section class="card">
        <h2>Delete</h2>
        <p class="muted">The short link stops working and its clicks are deleted (asks for confirmation).</p>
        <ActionButton action={`/admin/links/${link.slug}/delete`} label={`Delete ${link.slug}…`} kind="danger" />
      </section>
    </Layout>
  );
}

/** What the list is filtered by, from the query string. */
interface ListSearch {
  q: string;
  tag: string;
  cursor?: string;
}

function listSearch(c: Context<AppEnv>): ListSearch {
  const raw = c.req.query("cursor");
  return {
    q: (c.req.query("q") ?? "").trim().slice(0, 200),
    tag: (c.req.query("tag") ?? "").trim().slice(0, 32),
    cursor: raw && CURSOR_PATTERN.test(raw) ? raw : undefined,
  };
}

async function renderList(c: Context<AppEnv>, form?: { values: CreateForm; errors: FieldError[]; status?: 409 | 422 }) {
  const search = listSearch(c);
  const redis = c.get("redis");
  const config = c.get("config");
  const now = c.get("clock").now();
  const page = await searchLinks(
    redis,
    config,
    { query: search.q, tag: search.tag, cursor: search.cursor, limit: PAGE_SIZE },
    linkContext(c),
  );
  // One pipeline for every link's stats: issued in the same tick.
  const stats = await Promise.all(
    page.links.map((link) => statsOrNothing(linkStats(redis, config, { slug: link.slug, days: SPARK_DAYS, now }))),
  );
  return c.html(
    <LinksPage
      links={page.links}
      stats={stats}
      nextCursor={page.nextCursor}
      search={search}
      deleted={c.req.query("deleted") === "1"}
      form={form}
    />,
    form ? (form.status ?? 422) : 200,
  );
}

/** The edit form's fields, as typed: empty means "remove the setting". */
const editForm = z.object({
  url: z.string().max(4096),
  expiresAt: z.string().max(40).optional(),
  maxClicks: z.string().max(16).optional(),
  redirectStatus: z.string().max(3).optional(),
  expiredUrl: z.string().max(4096).optional(),
  forwardQuery: z.string().max(3).optional(),
  tags: z.string().max(1000).optional(),
});
type EditForm = z.infer<typeof editForm>;

const REDIRECT_STATUSES = [
  ["302", "302 Found (temporary; the default)"],
  ["301", "301 Moved Permanently (cached by browsers)"],
  ["307", "307 Temporary Redirect (keeps the method)"],
  ["308", "308 Permanent Redirect (keeps the method)"],
] as const;

/** A stored ISO time as a datetime-local value in UTC ("2026-12-31T23:59"). */
const localValue = (iso: string | null) => (iso ? iso.slice(0, 16) : "");
const utcInput = (value: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value) ? `${value}:00Z` : value);

function editValues(link: Link): EditForm {
  return {
    url: link.url,
    expiresAt: localValue(link.expiresAt),
    maxClicks: link.maxClicks === null ? "" : String(link.maxClicks),
    redirectStatus: String(link.redirectStatus),
    expiredUrl: link.expiredUrl ?? "",
    forwardQuery: link.forwardQuery ? "on" : "",
    tags: link.tags.join(", "),
  };
}

/** The edit form as the API's PATCH body: every field sent, empties as null (removed). */
function toPatch(form: EditForm): Record<string, unknown> {
  const text = (value: string | undefined) => value?.trim() ?? "";
  const maxClicks = text(form.maxClicks);
  return {
    url: text(form.url),
    expiresAt: text(form.expiresAt) ? utcInput(text(form.expiresAt)) : null,
    maxClicks: maxClicks ? (/^\d+$/.test(maxClicks) ? Number(maxClicks) : maxClicks) : null,
    redirectStatus: Number(text(form.redirectStatus) || "302"),
    expiredUrl: text(form.expiredUrl) || null,
    forwardQuery: form.forwardQuery === "on",
    tags: text(form.tags)
      .split(",")
      .map((t) => t.trim())
      .filter((t) => t !== ""),
  };
}

/** Field errors of a patch: `tags.2` belongs to the tags box. */
const editErrors = (errors: FieldError[]) =>
  errors.map((e) => ({ path: e.path.split(".")[0] ?? "", message: e.message }));

function EditLinkForm(props: { link: Link; values?: EditForm; errors?: FieldError[] }) {
  const v = props.values ?? editValues(props.link);
  const errors = props.errors;
  return (
    <section class="card" id="edit">
      <h2>Edit</h2>
      <ErrorSummary errors={errors} />
      <form method="post" action={`/admin/links/${props.link.slug}/edit#edit`} class="fields">
        <Field name="url" label="Target URL" type="url" value={v.url} errors={errors} required wide />
        <Field
          name="expiresAt"
          label="Expires, UTC (empty: never)"
          type="datetime-local"
          value={v.expiresAt}
          errors={errors}
        />
        <Field
          name="expiredUrl"
          label="After expiry, send to (empty: a 410 page)"
          type="url"
          value={v.expiredUrl}
          errors={errors}
          hint="Also used once max clicks are reached"
        />
        <Field
          name="maxClicks"
          label="Max clicks (empty: no limit)"
          type="number"
          value={v.maxClicks}
          errors={errors}
          attrs={{ min: 1 }}
        />
        <div>
          <label for={fieldId("redirectStatus")}>Redirect status</label>
          <select id={fieldId("redirectStatus")} name="redirectStatus">
            {REDIRECT_STATUSES.map(([code, label]) => (
              <option value={code} selected={code === v.redirectStatus}>
                {label}
              </option>
            ))}
          </select>
          <FieldMessage errors={errors} name="redirectStatus" />
        </div>
        <Field
          name="tags"
          label="Tags, comma-separated"
          value={v.tags}
          errors={errors}
          hint="Up to 10; letters, digits, space _ . : -"
        />
        <div>
          <label for={fieldId("forwardQuery")}>
            <input id={fieldId("forwardQuery")} name="forwardQuery" type="checkbox" checked={v.forwardQuery === "on"} />{" "}
            Forward the short link's query string to the target
          </label>
        </div>
        <div>
          <button type="submit">Save link</button>
        </div>
      </form>
    </section>
  );
}

function PasswordForm(props: { link: Link; errors?: FieldError[] }) {
  const { link, errors } = props;
  return (
    <section class="card" id="password">
      <h2>Password</h2>
      <p class="muted" data-protected={String(link.hasPassword)}>
        {link.hasPassword
          ? "This link is password protected: visitors type the password before they are redirected."
          : "This link is public."}
      </p>
      <form method="post" action={`/admin/links/${link.slug}/password#password`} class="fields">
        <Field
          name="password"
          label={link.hasPassword ? "New password" : "Password"}
          type="password"
          errors={errors}
          required
          attrs={{ minlength: 8, maxlength: 128, autocomplete: "new-password" }}
          hint="8 to 128 characters; stored hashed"
        />
        <div>
          <button type="submit" name="action" value="set">
            {link.hasPassword ? "Change password" : "Set password"}
          </button>
        </div>
      </form>
      {link.hasPassword ? (
        <ActionButton
          action={`/admin/links/${link.slug}/password`}
          label="Remove the password"
          fields={{ action: "remove" }}
        />
      ) : null}
    </section>
  );
}

function ConfirmDeletePage(props: { link: Link }) {
  const { slug, shortUrl } = props.link;
  return (
    <Layout title={`Delete ${slug}`} section="links">
      <h1>Delete link {slug}?</h1>
      <Notice kind="warn">
        {shortUrl} will answer 404 and its click statistics are deleted. The slug becomes free for a new link.
      </Notice>
      <div class="actions">
        <ActionButton
          action={`/admin/links/${slug}/delete`}
          label="Yes, delete it"
          kind="danger"
          fields={{ confirm: "yes" }}
        />
        <a href={`/admin/links/${slug}`}>Cancel</a>
      </div>
    </Layout>
  );
}

const BULK_EXAMPLE =
  "url,slug,tags,maxClicks\nhttps://example.com/spring,spring-sale,campaign;spring,\nhttps://example.com/docs,,docs,100";

function BulkPage(props: {
  csv: string;
  error?: string;
  results?: { line: number; slug: string; result: BulkResult }[];
}) {
  const created = props.results?.filter((r) => r.result.ok).length ?? 0;
  const failed = (props.results?.length ?? 0) - created;
  return (
    <Layout title="Bulk links" section="links">
      <p>
        <a href="/admin/links">← Links</a>
      </p>
      <h1>Bulk create links</h1>
      {props.results ? (
        <section class="card scroll" id="results">
          <h2 data-bulk-summary>
            {created} created, {failed} {failed === 1 ? "error" : "errors"}
          </h2>
          <table>
            <thead>
              <tr>
                <th class="num">Line</th>
                <th>Slug</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {props.results.map(({ line, slug, result }) => (
                <tr data-line={String(line)} data-ok={String(result.ok)}>
                  <td class="num">{line}</td>
                  <td>
                    {result.ok ? <a href={`/admin/links/${result.link.slug}`}>{result.link.slug}</a> : slug || "–"}
                  </td>
                  <td>
                    {result.ok ? (
                      <span class="pill on">created</span>
                    ) : (
                      <>
                        <span class="pill off">{result.status}</span> {result.error.detail}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section class="card">
        <form method="post" action="/admin/bulk-links#results">
          <ErrorSummary
            errors={props.error ? [{ path: "csv", message: props.error }] : undefined}
            title="Nothing was created:"
          />
          <TextArea
            name="csv"
            label={`CSV, up to ${MAX_BULK} rows`}
            value={props.csv}
            errors={props.error ? [{ path: "csv", message: props.error }] : undefined}
            rows={12}
            hint={
              <>
                A first row starting with <code>url</code> names the columns (url, slug, expiresAt, maxClicks,
                redirectStatus, password, expiredUrl, forwardQuery, tags separated by <code>;</code>); without it each
                row is <code>url,slug</code>. An empty slug gets a random one. Each row succeeds or fails on its own.
              </>
            }
          />
          <p class="hint">Example:</p>
          <pre class="hint">{BULK_EXAMPLE}</pre>
          <div class="actions">
            <button type="submit">Create links</button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

const notFound = (c: Context<AppEnv>) => c.html(<NotFoundPage section="links" what="link" />, 404);
const isNotFound = (error: unknown) => error instanceof AppError && error.code === "not_found";

async function renderLink(
  c: Context<AppEnv>,
  slug: string,
  extra: { notice?: string; edit?: { values: EditForm; errors: FieldError[] }; passwordErrors?: FieldError[] } = {},
  status: 200 | 409 | 422 = 200,
) {
  const redis = c.get("redis");
  const config = c.get("config");
  const context = linkContext(c);
  try {
    // Issued in one tick: one pipeline.
    const [link, stats, qr] = await Promise.all([
      getLink(redis, config, slug, context),
      linkStats(redis, config, { slug, days: DETAIL_DAYS, now: context.now }),
      linkQr(redis, config, slug, context),
    ]);
    return c.html(<LinkPage link={link} stats={stats} qr={qr} {...extra} />, status);
  } catch (error) {
    if (isNotFound(error)) return notFound(c);
    throw error;
  }
}

const NOTICES: Record<string, string> = {
  created: "Link created.",
  saved: "Link saved.",
  protected: "Password set: visitors now type it before the redirect.",
  public: "Password removed: the link is public again.",
};

/**
 * Links: the list (search, tag filter, paging) with sparklines and the create form; bulk create
 * from CSV; one link's page with its charts, the edit form (every PATCH field), its password and
 * delete. Same lib functions as /api/links.
 */
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
      return c.redirect(`/admin/links/${link.slug}?done=created`, 303);
    } catch (error) {
      return renderList(c, { values: form.value, errors: formErrorsOf(error), status: formErrorStatus(error) });
    }
  })
  .get("/admin/bulk-links", (c) => c.html(<BulkPage csv="" />))
  .post("/admin/bulk-links", async (c) => {
    const form = await readForm(c, z.object({ csv: z.string().max(500_000) }));
    if (!form.ok) return c.html(<BulkPage csv="" error="the CSV is too long" />, 422);
    const { csv } = form.value;
    const parsed = linksFromCsv(csv, MAX_BULK);
    if (!parsed.ok) return c.html(<BulkPage csv={csv} error={parsed.message} />, 422);
    try {
      await c.get("rateLimit").spend(parsed.items.length); // as POST /api/links/bulk: one unit per link
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "quota_exceeded") throw error;
      const message = `over the bulk-create-links limit: ${error.message}`;
      return c.html(<BulkPage csv={csv} error={message} />, 429);
    }
    const results = await createLinks(
      c.get("redis"),
      c.get("config"),
      parsed.items.map((i) => i.item),
      linkContext(c),
    );
    const rows = parsed.items.map(({ line, item }, i) => ({
      line,
      slug: typeof item.slug === "string" ? item.slug : "",
      result: results[i] as BulkResult,
    }));
    const failed = rows.filter((r) => !r.result.ok);
    // The failed rows stay in the box (header kept), ready to fix and post again.
    const header = csv.trimStart().toLowerCase().startsWith("url") ? `${csv.trimStart().split(/\r?\n/)[0]}\n` : "";
    const lines = csv.split(/\r?\n/);
    const again = failed.length > 0 ? header + failed.map((r) => lines[r.line - 1] ?? "").join("\n") : "";
    return c.html(<BulkPage csv={again} results={rows} />);
  })
  .post("/admin/links/:slug/edit", async (c) => {
    const slug = slugParamSchema.safeParse(c.req.param("slug"));
    if (!slug.success) return notFound(c);
    const form = await readForm(c, editForm);
    if (!form.ok) return renderLink(c, slug.data, {}, 422);
    const patch = linkPatchSchema.safeParse(toPatch(form.value));
    if (!patch.success) {
      const errors = editErrors(
        patch.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      );
      return renderLink(c, slug.data, { edit: { values: form.value, errors } }, 422);
    }
    try {
      await updateLink(c.get("redis"), c.get("config"), slug.data, patch.data, linkContext(c));
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      const errors = editErrors(formErrorsOf(error));
      return renderLink(c, slug.data, { edit: { values: form.value, errors } }, formErrorStatus(error));
    }
    return c.redirect(`/admin/links/${slug.data}?done=saved`, 303);
  })
  .post("/admin/links/:slug/password", async (c) => {
    const slug = slugParamSchema.safeParse(c.req.param("slug"));
    if (!slug.success) return notFound(c);
    const form = await readForm(c, z.object({ password: z.string().max(1000).optional(), action: z.string().max(8) }));
    if (!form.ok) return renderLink(c, slug.data, { passwordErrors: form.errors }, 422);
    const remove = form.value.action === "remove";
    const patch = linkPatchSchema.safeParse({ password: remove ? null : (form.value.password ?? "") });
    if (!patch.success) {
      const passwordErrors = patch.error.issues.map((i) => ({ path: "password", message: i.message }));
      return renderLink(c, slug.data, { passwordErrors }, 422);
    }
    try {
      await updateLink(c.get("redis"), c.get("config"), slug.data, patch.data, linkContext(c));
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      return renderLink(c, slug.data, { passwordErrors: formErrorsOf(error) }, formErrorStatus(error));
    }
    return c.redirect(`/admin/links/${slug.data}?done=${remove ? "public" : "protected"}`, 303);
  })
  .post("/admin/links/:slug/delete", async (c) => {
    const slug = slugParamSchema.safeParse(c.req.param("slug"));
    if (!slug.success) return notFound(c);
    const form = await readForm(c, z.object({ confirm: z.string().max(8).optional() }));
    try {
      if (!form.ok || form.value.confirm !== "yes") {
        const link = await getLink(c.get("redis"), c.get("config"), slug.data, linkContext(c));
        return c.html(<ConfirmDeletePage link={link} />);
      }
      await deleteLink(c.get("redis"), c.get("config"), slug.data, c.get("clock").now());
    } catch (error) {
      if (isNotFound(error)) return notFound(c);
      throw error;
    }
    return c.redirect("/admin/links?deleted=1", 303);
  })
  .get("/admin/links/:slug", (c) => {
    const slug = slugParamSchema.safeParse(c.req.param("slug"));
    if (!slug.success) return notFound(c);
    return renderLink(c, slug.data, { notice: NOTICES[c.req.query("done") ?? ""] });
  });
