import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchStack, startStack } from "../../bench/stack.ts";
import { openBrowser } from "./browser.ts";
import { startLanding } from "./landing.ts";

/** Screenshots land here (git-ignored), for a person to look at. */
const SHOTS = join(import.meta.dirname, "../../test-results/e2e");

let stack: BenchStack;
let landing: Awaited<ReturnType<typeof startLanding>>;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let context: BrowserContext;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** The admin API, from outside the browser (to create a flag and evaluate it). */
async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.workerUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json", ...init.headers },
  });
}

async function evaluate(key: string): Promise<{ value: unknown; reason: string }> {
  const res = await fetch(`${stack.workerUrl}/ofrep/v1/evaluate/flags/${key}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ context: { targetingKey: "visitor-1" } }),
  });
  return (await res.json()) as { value: unknown; reason: string };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [stack, landing, browser] = await Promise.all([
    startStack({}, { entry: "src/index.ts", outdir: "test-results/e2e/.build" }),
    startLanding(),
    openBrowser(),
  ]);
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
  // Fail fast: every step here takes milliseconds when it works.
  page.setDefaultTimeout(8_000);
});

afterAll(async () => {
  await browser?.close();
  await landing?.close();
  await stack?.stop();
});

describe("the dashboard in a browser", () => {
  it("sends a visitor to the login page, refuses a wrong token and signs in with the right one", async () => {
    await page.goto(`${stack.workerUrl}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await shot("01-login");
    await page.fill("#token", "not-the-token-0123456789");
    await page.click("button[type=submit]");
    await expect(page.locator("[role=alert]").textContent()).resolves.toContain("does not sign in");
    await page.fill("#token", stack.adminToken);
    await Promise.all([page.waitForURL("**/admin/links"), page.click("button[type=submit]")]);
    await expect(page.locator("h1").textContent()).resolves.toBe("Links");
  });

  it("creates a link, follows the short URL, and shows its click", async () => {
    await page.fill("#url", `${landing.url}/welcome`);
    await page.fill("#slug", "e2e-link");
    await Promise.all([page.waitForURL("**/admin/links/e2e-link?done=created"), page.click("text=Create link")]);
    await expect(page.locator("[data-clicks]").textContent()).resolves.toBe("0");
    await shot("02-link-created");

    await page.goto(`${stack.workerUrl}/e2e-link`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Landed on /welcome");

    await page.goto(`${stack.workerUrl}/admin/links`);
    await expect(page.locator('tr[data-slug="e2e-link"] [data-clicks]').textContent()).resolves.toBe("1");
    await shot("03-links-list");
    await page.click('a[href="/admin/links/e2e-link"]');
    await expect(page.locator("[data-clicks]").textContent()).resolves.toBe("1");
    await shot("04-link-detail");
  });

  it("shows a flag created through the API, and its evaluation on its page", async () => {
    const put = await api("/api/flags/new-checkout", {
      method: "PUT",
      body: JSON.stringify({
        description: "The new checkout flow",
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "off",
        rollout: { percentage: 100, variant: "on" },
      }),
    });
    expect(put.status).toBe(201);
    await expect(evaluate("new-checkout")).resolves.toMatchObject({ value: true, reason: "SPLIT" });
    await page.goto(`${stack.workerUrl}/admin/flags/new-checkout`);
    await expect(page.locator("[data-evaluation]").textContent()).resolves.toContain("SPLIT");
  });

  it("kills the flag with its switch, and the evaluation changes at once", async () => {
    await Promise.all([page.waitForURL("**/admin/flags/new-checkout"), page.click('[data-toggle="new-checkout"]')]);
    await expect(page.locator(".pill").first().textContent()).resolves.toBe("off");
    await expect(page.locator("[data-evaluation]").textContent()).resolves.toContain("DISABLED");
    await expect(evaluate("new-checkout")).resolves.toMatchObject({ value: false, reason: "DISABLED" });
    await shot("05-flag-killed");
  });

  it("edits the rollout percentage, and the history shows both changes", async () => {
    await Promise.all([page.waitForURL("**/admin/flags/new-checkout"), page.click('[data-toggle="new-checkout"]')]);
    await page.fill("#f-rolloutPercentage", "0");
    await Promise.all([
      page.waitForURL("**/admin/flags/new-checkout?saved=1**"),
      page.click("button:text('Save flag')"),
    ]);
    await expect(evaluate("new-checkout")).resolves.toMatchObject({ value: false, variant: "off" });
    const history = await page.locator("table").textContent();
    expect(history).toContain("turned off");
    expect(history).toContain("rollout: 100% get on → 0% get on");
    await shot("06-flag-history");
  });

  it("lists the flag with its kill switch and rollout editor", async () => {
    await page.goto(`${stack.workerUrl}/admin/flags`);
    await expect(page.locator('tr[data-flag="new-checkout"] .pill').textContent()).resolves.toBe("on");
    await shot("07-flags");
  });

  it("shows experiment results and top pages with their charts", async () => {
    const put = await api("/api/experiments/checkout-copy", {
      method: "PUT",
      body: JSON.stringify({
        variants: [
          { name: "control", weight: 1 },
          { name: "bold", weight: 1 },
        ],
        status: "running",
        goals: ["purchase"],
      }),
    });
    expect(put.status).toBe(201);
    for (let i = 0; i < 40; i++) {
      const unitId = `unit-${i}`;
      const body = JSON.stringify({ unitId });
      await fetch(`${stack.workerUrl}/api/experiments/checkout-copy/assignment`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      if (i % 3 === 0) {
        await fetch(`${stack.workerUrl}/api/experiments/checkout-copy/conversions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ unitId, goal: "purchase" }),
        });
      }
    }
    await page.goto(`${stack.workerUrl}/admin/experiments/checkout-copy`);
    await expect(page.locator("h2", { hasText: "Goal:" }).first().textContent()).resolves.toBe("Goal: purchase");
    await shot("08-experiment");

    for (const path of ["/pricing", "/pricing", "/docs"]) {
      // From the browser, so the view counts as a human's.
      await page.request.post(`${stack.workerUrl}/api/views/${encodeURIComponent(path)}`);
    }
    await page.goto(`${stack.workerUrl}/admin/views`);
    await expect(page.locator("main").textContent()).resolves.toContain("/pricing");
    await shot("09-views");
  });

  it("fits a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stack.workerUrl}/admin/links/e2e-link`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("10-phone-link");
    await page.goto(`${stack.workerUrl}/admin/flags`);
    await shot("11-phone-flags");
  });

  it("logs out", async () => {
    await page.setViewportSize({ width: 1200, height: 900 });
    await Promise.all([page.waitForURL("**/admin/login"), page.click("text=Log out")]);
    await page.goto(`${stack.workerUrl}/admin/links`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
  });
});
