import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchStack, startStack } from "../../bench/stack.ts";
import { openBrowser } from "./browser.ts";

/** Screenshots land here (git-ignored), for a person to look at. */
const SHOTS = join(import.meta.dirname, "../../test-results/e2e");
const PASSWORD = "a long enough password";

let stack: BenchStack;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let context: BrowserContext;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.workerUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json", ...init.headers },
  });
}

const flagEnabled = async () => ((await (await api("/api/flags/roles-flag")).json()) as { enabled: boolean }).enabled;

/** Signs out, then in through the form as `name` (or with a token when `name` is empty). */
async function signIn(name: string, secret: string): Promise<void> {
  await context.clearCookies();
  await page.goto(`${stack.workerUrl}/admin/login?next=/admin/flags`);
  await page.fill("#name", name);
  await page.fill("#token", secret);
  await Promise.all([page.waitForURL("**/admin/flags"), page.click("button[type=submit]")]);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [stack, browser] = await Promise.all([
    startStack({}, { entry: "src/index.ts", outdir: "test-results/e2e/.build-roles" }),
    openBrowser(),
  ]);
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(8_000);
  const put = await api("/api/flags/roles-flag", {
    method: "PUT",
    body: JSON.stringify({ enabled: true, type: "boolean", variants: { on: true, off: false }, defaultVariant: "off" }),
  });
  expect(put.status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("dashboard roles in a browser", () => {
  it("an admin (the ADMIN_TOKEN) adds a viewer and an editor on the users page", async () => {
    await signIn("", stack.adminToken);
    await page.goto(`${stack.workerUrl}/admin/users`);
    for (const [name, role] of [
      ["vera", "viewer"],
      ["ed", "editor"],
    ]) {
      await page.fill("#new-name", name as string);
      await page.fill("#new-password", PASSWORD);
      await page.selectOption("#new-role", role as string);
      await Promise.all([page.waitForLoadState("load"), page.click("text=Add user")]);
      await expect(page.locator("[role=status]").textContent()).resolves.toContain(`Added ${name} (${role})`);
    }
    await shot("roles-01-users");
  });

  it("a viewer cannot change a flag: the kill switch answers 403 and the flag stays on", async () => {
    await signIn("vera", PASSWORD);
    const [response] = await Promise.all([
      page.waitForResponse((res) => res.url().endsWith("/admin/flags/roles-flag/enabled")),
      page.click('[data-toggle="roles-flag"]'),
    ]);
    expect(response.status()).toBe(403);
    await expect(page.locator("[role=alert]").textContent()).resolves.toContain("Your role is viewer");
    await shot("roles-02-viewer-refused");
    expect(await flagEnabled()).toBe(true);
    await page.goto(`${stack.workerUrl}/admin/users`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Not allowed");
  });

  it("an editor can: the flag goes off, and its history names the editor", async () => {
    await signIn("ed", PASSWORD);
    await Promise.all([page.waitForURL("**/admin/flags"), page.click('[data-toggle="roles-flag"]')]);
    expect(await flagEnabled()).toBe(false);
    const history = (await (await api("/api/flags/roles-flag/history")).json()) as { entries: { actor: string }[] };
    expect(history.entries[0]?.actor).toBe("user:ed");
    await shot("roles-03-editor-changed");
  });
});
