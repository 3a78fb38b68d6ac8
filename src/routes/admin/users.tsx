import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import type { ApiKey } from "../../lib/access/api-key.ts";
import { createKey } from "../../lib/access/create-key.ts";
import { listKeys } from "../../lib/access/list-keys.ts";
import { ROLES } from "../../lib/access/principal.ts";
import { revokeKey } from "../../lib/access/revoke-key.ts";
import { SCOPES } from "../../lib/access/scopes.ts";
import { createUser, type DashboardUser, deleteUser, listUsers, updateUser } from "../../lib/access/users.ts";
import { AppError, type FieldError } from "../../lib/errors.ts";
import { describeErrors, formErrorStatus, formErrorsOf, readForm } from "./form.ts";
import { Layout, Notice } from "./layout.tsx";

const iso = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));

interface PageProps {
  users: DashboardUser[];
  keys: ApiKey[];
  errors?: FieldError[];
  ok?: string;
  /** A key just created: its secret, shown this once. */
  secret?: string;
}

function UsersPage(props: PageProps) {
  return (
    <Layout title="Users and keys" section="users">
      <h1>Users and keys</h1>
      {props.errors ? <Notice kind="error">{describeErrors(props.errors).join("; ")}</Notice> : null}
      {props.ok ? <Notice kind="ok">{props.ok}</Notice> : null}
      {props.secret ? (
        <Notice kind="warn">
          The new key, shown only now: <code id="new-key">{props.secret}</code>
        </Notice>
      ) : null}
      <section class="card scroll">
        <h2>Dashboard users</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th class="hide-sm">Created</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((u) => (
              <tr>
                <td>{u.name}</td>
                <td>{u.role}</td>
                <td class="hide-sm">
                  {iso(u.createdAt)} by {u.createdBy}
                </td>
                <td>
                  <form method="post" action={`/admin/users/${u.name}`}>
                    <select name="role" aria-label={`Role of ${u.name}`}>
                      {ROLES.map((r) => (
                        <option value={r} selected={r === u.role}>
                          {r}
                        </option>
                      ))}
                    </select>
                    <input
                      name="password"
                      type="password"
                      placeholder="new password (optional)"
                      autocomplete="new-password"
                    />
                    <button type="submit">Save</button>
                  </form>
                  <form method="post" action={`/admin/users/${u.name}/delete`}>
                    <button type="submit" class="danger">
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Add a user</h3>
        <form method="post" action="/admin/users">
          <label for="new-name">Name</label>
          <input id="new-name" name="name" required maxlength={32} />
          <label for="new-password">Password (12 or more characters)</label>
          <input id="new-password" name="password" type="password" required autocomplete="new-password" />
          <label for="new-role">Role</label>
          <select id="new-role" name="role">
            {ROLES.map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
          <p>
            <button type="submit">Add user</button>
          </p>
        </form>
      </section>
      <section class="card scroll">
        <h2>API keys</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th>Status</th>
              <th class="hide-sm">Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.keys.map((k) => (
              <tr>
                <td>
                  {k.name} <span class="muted">{k.id}</span>
                </td>
                <td>{k.scopes.join(" ")}</td>
                <td>
                  {k.status}
                  {k.expiresAt !== null ? ` (expires ${iso(k.expiresAt)})` : ""}
                </td>
                <td class="hide-sm">{iso(k.lastUsedAt)}</td>
                <td>
                  {k.status === "revoked" ? null : (
                    <form method="post" action={`/admin/keys/${k.id}/revoke`}>
                      <button type="submit" class="danger">
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Create a key</h3>
        <form method="post" action="/admin/keys">
          <label for="key-name">Name</label>
          <input id="key-name" name="name" required maxlength={40} />
          <label for="key-scopes">Scopes, separated by spaces (e.g. links:write flags:read)</label>
          <input id="key-scopes" name="scopes" required />
          <p>
            <button type="submit">Create key</button>
          </p>
        </form>
        <details>
          <summary>Every scope</summary>
          <ul>
            {Object.entries(SCOPES).map(([scope, what]) => (
              <li>
                <code>{scope}</code>: {what}
              </li>
            ))}
          </ul>
        </details>
      </section>
    </Layout>
  );
}

async function render(
  c: Context<AppEnv>,
  extra: Omit<PageProps, "users" | "keys"> = {},
  status: 200 | 201 | 409 | 422 = 200,
) {
  const [redis, config] = [c.get("redis"), c.get("config")];
  const [users, keys] = await Promise.all([listUsers(redis, config), listKeys(redis, config, c.get("clock").now())]);
  return c.html(<UsersPage users={users} keys={keys} {...extra} />, status);
}

/** Runs a change; its client mistakes (422, 409, 404) show beside the forms. */
async function change(c: Context<AppEnv>, run: () => Promise<Omit<PageProps, "users" | "keys">>) {
  try {
    return await render(c, await run());
  } catch (error) {
    // A user or key that is gone, or a key that may not grant or revoke that: said beside the forms.
    if (error instanceof AppError && (error.code === "not_found" || error.code === "insufficient_scope")) {
      return render(c, { errors: [{ path: "", message: error.message }] }, 422);
    }
    return render(c, { errors: formErrorsOf(error) }, formErrorStatus(error));
  }
}

const newUser = z.object({ name: z.string().max(32), password: z.string().max(256), role: z.string().max(16) });
const userChange = z.object({ role: z.string().max(16).optional(), password: z.string().max(256).optional() });
const newKey = z.object({ name: z.string().max(40), scopes: z.string().max(4096) });

/**
 * Users and keys, for admins only (the router's role check refuses viewers and editors before
 * these run): add, change and remove dashboard users; create and revoke API keys.
 */
export const userPages = new Hono<AppEnv>()
  .get("/admin/users", (c) => render(c))
  .get("/admin/keys", (c) => c.redirect("/admin/users", 303))
  .post("/admin/users", async (c) => {
    const form = await readForm(c, newUser);
    if (!form.ok) return render(c, { errors: form.errors }, 422);
    return change(c, async () => {
      const user = await createUser(
        c.get("redis"),
        c.get("config"),
        form.value,
        c.get("principal"),
        c.get("clock").now(),
      );
      return { ok: `Added ${user.name} (${user.role}).` };
    });
  })
  .post("/admin/users/:name", async (c) => {
    const form = await readForm(c, userChange);
    if (!form.ok) return render(c, { errors: form.errors }, 422);
    const { role, password } = form.value;
    return change(c, async () => {
      const user = await updateUser(
        c.get("redis"),
        c.get("config"),
        c.req.param("name"),
        { role: role || undefined, password: password || undefined },
        c.get("clock").now(),
      );
      return { ok: `Saved ${user.name} (${user.role}).` };
    });
  })
  .post("/admin/users/:name/delete", (c) =>
    change(c, async () => {
      await deleteUser(c.get("redis"), c.get("config"), c.req.param("name"));
      return { ok: `Removed ${c.req.param("name")}.` };
    }),
  )
  .post("/admin/keys", async (c) => {
    const form = await readForm(c, newKey);
    if (!form.ok) return render(c, { errors: form.errors }, 422);
    const scopes = form.value.scopes.split(/[\s,]+/).filter(Boolean);
    return change(c, async () => {
      const { secret, key } = await createKey(
        c.get("redis"),
        c.get("config"),
        { name: form.value.name, scopes },
        c.get("principal"),
        c.get("clock").now(),
      );
      return { ok: `Created ${key.name} (${key.id}).`, secret };
    });
  })
  .post("/admin/keys/:id/revoke", (c) =>
    change(c, async () => {
      const key = await revokeKey(
        c.get("redis"),
        c.get("config"),
        c.req.param("id"),
        c.get("principal"),
        c.get("clock").now(),
      );
      return { ok: `Revoked ${key.name} (${key.id}).` };
    }),
  );
