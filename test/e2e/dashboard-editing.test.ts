import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchStack, startStack } from "../../bench/stack.ts";
import { openBrowser } from "./browser.ts";
import { startLanding } from "./landing.ts";

/**
 * Every editing flow of the dashboard in a real browser, without JavaScript where a form does the
 * job (the one progressive script only keeps the slider in step). Screenshots go to
 * test-results/e2e (git-ignored); `DOCS_SHOTS=1` also copies the representative ones to docs/images.
 */
const SHOTS = join(import.meta.dirname, "../../test-results/e2e");
const DOCS = join(import.meta.dirname, "../../docs/images");

let stack: BenchStack;
let landing: Awaited<ReturnType<typeof startLanding>>;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let page: Page;

async function shot(name: string, docsName?: string) {
  const path = join(SHOTS, `editing-${name}.png`);
  await page.screenshot({ path, fullPage: false });
  if (docsName && process.env.DOCS_SHOTS === "1") copyFileSync(path, join(DOCS, `dashboard-${docsName}.png`));
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.workerUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json", ...init.headers },
  });
}

const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim() ?? "";

/** Submits a form with the button and waits for the page the server answers. */
async function press(selector: string) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(DOCS, { recursive: true });
  [stack, landing, browser] = await Promise.all([
    startStack(
      { RATE_LIMITS: JSON.stringify({ default: { limit: 100_000 }, "create-link": { limit: 1000 } }) },
      { entry: "src/index.ts", outdir: "test-results/e2e/.build-editing" },
    ),
    startLanding(),
    openBrowser(),
  ]);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(10_000);
  await page.goto(`${stack.workerUrl}/admin/login`);
  await page.fill("#token", stack.adminToken);
  await press("button[type=submit]");
});

afterAll(async () => {
  await browser?.close();
  await landing?.close();
  await stack?.stop();
});

describe("editing in the dashboard", () => {
  it("creates a flag with two rules, reorders them, and an evaluation changes with the context", async () => {
    await page.goto(`${stack.workerUrl}/admin/flags/new`);
    await page.fill("#f-key", "beta-banner");
    await page.fill("#f-description", "The beta banner");
    await press("button[value=add-rule]");
    await page.fill("#f-rules-0-attribute", "plan");
    await page.selectOption("#f-rules-0-operator", "equals");
    await page.fill("#f-rules-0-values", "free");
    await page.fill("#f-rules-0-variant", "off");
    await press("button[value=add-rule]");
    await page.fill("#f-rules-1-attribute", "country");
    await page.selectOption("#f-rules-1-operator", "in");
    await page.fill("#f-rules-1-values", "DE\nFR");
    await page.fill("#f-rules-1-variant", "on");
    // Move the country rule first: a German free-plan user then gets the banner.
    await press("button[value='up:1']");
    expect(await page.inputValue("#f-rules-0-attribute")).toBe("country");
    expect(await text("[role=status]")).toContain("Changed on the page only");

    // A bad value first: the lib's error shows next to its field, not as JSON.
    await page.fill("#f-variants-0-value", "yes");
    await press("button:text('Create flag')");
    expect(await text('[data-error-for="variants.0.value"]')).toContain("true or false");
    await shot("flag-error", "flag-error");
    await page.fill("#f-variants-0-value", "true");
    await press("button:text('Create flag')");
    expect(new URL(page.url()).pathname).toBe("/admin/flags/beta-banner");
    await shot("flag-editor", "flag-editor");

    await page.fill("#try-key", "user-7");
    await page.fill("#try-attributes", "country=DE\nplan=free");
    await press("#try button[type=submit]");
    expect(await text("[data-evaluation]")).toMatch(/value true, variant on, reason TARGETING_MATCH/);
    await page.fill("#try-attributes", "country=US\nplan=free");
    await press("#try button[type=submit]");
    expect(await text("[data-evaluation]")).toMatch(/value false, variant off, reason TARGETING_MATCH/);
    await page.fill("#try-attributes", "country=US");
    await press("#try button[type=submit]");
    expect(await text("[data-evaluation]")).toMatch(/value false, variant off, reason DEFAULT/);
    await shot("flag-evaluation", "flag-evaluation");

    // The public evaluation agrees.
    const res = await fetch(`${stack.workerUrl}/ofrep/v1/evaluate/flags/beta-banner`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ context: { targetingKey: "user-7", country: "FR", plan: "free" } }),
    });
    expect(await res.json()).toMatchObject({ value: true, reason: "TARGETING_MATCH" });
  });

  it("edits the rollout with the slider's number box and shows a readable history", async () => {
    // The progressive script keeps the number box in step with the slider (CSP script-src 'self').
    await page.fill("#f-rolloutSlider", "40");
    expect(await page.inputValue("#f-rolloutPercentage")).toBe("40");
    await page.fill("#f-rolloutPercentage", "25");
    expect(await page.inputValue("#f-rolloutSlider")).toBe("25");
    await page.fill("#f-rolloutVariant", "on");
    await page.fill("#f-allow", "vip-1\nvip-2");
    await press("button:text('Save flag')");
    expect(await text("[role=status]")).toContain("Flag saved");
    const history = await text("table");
    expect(history).toContain("rollout: none → 25% get on");
    expect(history).toContain("allow: +2 (vip-1, vip-2)");
    expect(history).toContain("created (boolean, default off)");
  });

  it("creates an experiment, refuses weights that do not add up to 100, then pauses it after confirming", async () => {
    await page.goto(`${stack.workerUrl}/admin/experiments/new`);
    await page.fill("#f-key", "pricing-page");
    await page.fill("#f-variants-0-weight", "50");
    await page.fill("#f-variants-1-weight", "40");
    expect(await text("[data-weight-sum]")).toBe("90"); // added up as typed, by the script
    await page.fill("#f-goals", "signup");
    await page.selectOption("#f-status", "running");
    await press("button:text('Create experiment')");
    expect(await text('[data-error-for="weights"]')).toContain("add up to 90");
    await shot("experiment-weights", "experiment-weights");
    await page.fill("#f-variants-1-weight", "50");
    await press("button:text('Create experiment')");
    expect(new URL(page.url()).pathname).toBe("/admin/experiments/pricing-page");
    for (let i = 0; i < 30; i++) {
      const body = JSON.stringify({ unitId: `u-${i}` });
      await fetch(`${stack.workerUrl}/api/experiments/pricing-page/assignment`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      if (i % 4 === 0) {
        await fetch(`${stack.workerUrl}/api/experiments/pricing-page/conversions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ unitId: `u-${i}`, goal: "signup" }),
        });
      }
    }
    await page.reload();
    expect(await page.locator('svg[aria-label^="New units exposed per day"]').count()).toBe(1);
    expect(await text("[data-power=signup]")).toMatch(/treatment against control/);
    await shot("experiment-results", "experiment-results");

    await press("[data-action=status-paused]");
    expect(await text("h1")).toBe("Set pricing-page to paused?");
    expect(await text(".notice.warn")).toContain("no new unit is assigned");
    await shot("experiment-confirm");
    await press("[data-action=confirm]");
    expect(await text(".pill.status-paused")).toBe("paused");
    const got = await (await api("/api/experiments/pricing-page")).json();
    expect(got).toMatchObject({ status: "paused" });
  });

  it("edits a link, protects it with a password, and deletes it after confirming", async () => {
    await page.goto(`${stack.workerUrl}/admin/links`);
    await page.fill("#url", `${landing.url}/old`);
    await page.fill("#slug", "promo");
    await press("text=Create link");
    await page.fill("#f-url", `${landing.url}/new`);
    await page.fill("#f-tags", "spring, campaign");
    await page.selectOption("#f-redirectStatus", "307");
    await page.fill("#f-maxClicks", "100");
    await page.fill("#f-expiredUrl", "javascript:void(0)");
    await press("button:text('Save link')");
    expect(await text('[data-error-for="expiredUrl"]')).toContain("must use http or https");
    await page.fill("#f-expiredUrl", `${landing.url}/expired`);
    await press("button:text('Save link')");
    expect(await text("[role=status]")).toContain("Link saved");
    const redirect = await fetch(`${stack.workerUrl}/promo`, { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe(`${landing.url}/new`);

    await page.fill("#f-password", "open sesame");
    await press("button:text('Set password')");
    expect(await page.getAttribute("[data-protected]", "data-protected")).toBe("true");
    await shot("link-edit", "link-edit");
    expect((await fetch(`${stack.workerUrl}/promo`, { redirect: "manual" })).status).toBe(200); // the password form

    await page.goto(`${stack.workerUrl}/admin/links?tag=spring`);
    expect(await page.locator("tr[data-slug]").count()).toBe(1);
    await page.goto(`${stack.workerUrl}/admin/links/promo`);
    await press("button:text('Delete promo…')");
    expect(await text("h1")).toBe("Delete link promo?");
    await press("button:text('Yes, delete it')");
    expect(new URL(page.url()).pathname).toBe("/admin/links");
    expect((await api("/api/links/promo")).status).toBe(404);
  });

  it("bulk-creates 20 links from CSV: 18 created, 2 errors, each row reported", async () => {
    const rows = ["url,slug,tags"];
    for (let i = 1; i <= 20; i++) {
      if (i === 7) rows.push("javascript:alert(1),bad-seven,");
      else if (i === 13)
        rows.push(`${landing.url}/13,bulk-1,dup`); // bulk-1 is taken by row 1
      else rows.push(`${landing.url}/${i},bulk-${i},imported`);
    }
    await page.goto(`${stack.workerUrl}/admin/bulk-links`);
    await page.fill("#f-csv", rows.join("\n"));
    await press("button:text('Create links')");
    expect(await text("[data-bulk-summary]")).toBe("18 created, 2 errors");
    expect(await page.locator("tr[data-ok=true]").count()).toBe(18);
    expect(await page.locator("tr[data-ok=false]").count()).toBe(2);
    expect(await text('tr[data-line="8"]')).toContain("must use http or https");
    expect(await text('tr[data-line="14"]')).toContain("taken");
    // The failed rows stay in the box to fix.
    expect(await page.inputValue("#f-csv")).toBe(`url,slug,tags\n${rows[7]}\n${rows[13]}`);
    await shot("bulk-links", "bulk-links");

    await page.goto(`${stack.workerUrl}/admin/links?tag=imported`);
    expect(await page.locator("tr[data-slug]").count()).toBe(18);
    await page.goto(`${stack.workerUrl}/admin/links?q=bulk-1`);
    // bulk-1, bulk-10 ... bulk-19 (13 failed): 10
    expect(await page.locator("tr[data-slug]").count()).toBe(10);
    await shot("links-search", "links-search");
  });

  it("looks up a user's sessions and revokes one, then all", async () => {
    for (const agent of ["Phone", "Laptop", "Tablet"]) {
      const res = await api("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ userId: "alice", userAgent: agent }),
      });
      expect(res.status).toBe(201);
    }
    await page.goto(`${stack.workerUrl}/admin/sessions`);
    await page.fill("#f-userId", "alice");
    await press("button:text('Show live sessions')");
    expect(await page.getAttribute("[data-sessions]", "data-sessions")).toBe("3");
    await shot("sessions", "sessions");
    await press("tr[data-handle] button:text('Revoke')");
    expect(await text("[role=status]")).toContain("Session revoked");
    expect(await page.getAttribute("[data-sessions]", "data-sessions")).toBe("2");
    await press("[data-action=revoke-all]");
    expect(await text("[role=status]")).toContain("2 sessions revoked");
    expect(await page.getAttribute("[data-sessions]", "data-sessions")).toBe("0");
    const left = (await (await api("/api/users/alice/sessions")).json()) as { sessions: unknown[] };
    expect(left.sessions).toEqual([]);
  });

  it("shows a client's quota under every policy and resets it", async () => {
    await page.goto(`${stack.workerUrl}/admin/ratelimits?identifier=admin`);
    const before = Number(await text('tr[data-policy="default"] [data-remaining]'));
    expect(before).toBeLessThan(100_000);
    await press("button:text('Reset')");
    expect(await text("[role=status]")).toContain("full quota back");
    await shot("ratelimits", "ratelimits");
  });

  it("keeps the editors usable on a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stack.workerUrl}/admin/flags/beta-banner`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator("#edit").scrollIntoViewIfNeeded();
    await shot("phone-flag", "phone-flag");
    await page.setViewportSize({ width: 1200, height: 900 });
  });
});
