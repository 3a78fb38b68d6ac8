import { afterAll, describe, expect, it } from "vitest";
import { cleanup, keysWithPrefix, redisCommand } from "../support.ts";
import { browser, linksApp } from "./helpers.ts";

const t = linksApp("guesses");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** A guess from its own /64, as a botnet or a /48 would send them. */
const guess = (slug: string, password: string, i: number) =>
  t.request(`/${slug}`, {
    method: "POST",
    headers: { ...browser(`2001:db8:0:${i.toString(16)}::1`), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password }).toString(),
    redirect: "manual",
  });

describe("a password link's budget of wrong guesses", () => {
  it("takes 20 wrong passwords from 20 addresses, then refuses every attempt with 429 and Retry-After", async () => {
    await t.create({ url: "https://example.com/vault", slug: "vault", password: "open sesame" });
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await guess("vault", `wrong-${i}`, i)).status);
    expect(statuses).toEqual(Array(20).fill(401));

    const locked = await guess("vault", "wrong-again", 100);
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await locked.json()).toEqual({
      type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
      title: "Too many requests",
      status: 429,
      detail: `Too many wrong passwords for "vault" lately. Retry in ${retryAfter} s.`,
      instance: "/vault",
      policy: "link-password",
    });
    // Even the right password waits: otherwise the lock-out would only slow the guessing.
    expect((await guess("vault", "open sesame", 101)).status).toBe(429);
  });

  it("is kept per link: another protected link is not locked", async () => {
    await t.create({ url: "https://example.com/other", slug: "other-vault", password: "open sesame" });
    expect((await guess("other-vault", "open sesame", 1)).status).toBe(302);
  });

  it("opens again once the window has passed, and the counter leaves with the link", async () => {
    const [key] = (await keysWithPrefix(t.bindings.KEY_PREFIX ?? "")).filter((k) => k.endsWith("{vault}:guesses"));
    expect(key).toBeDefined();
    await redisCommand("PEXPIRE", key ?? "", 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await guess("vault", "open sesame", 102)).status).toBe(302);
    await guess("vault", "wrong", 103);
    expect((await t.api("DELETE", "/api/links/vault")).status).toBe(204);
    expect((await keysWithPrefix(t.bindings.KEY_PREFIX ?? "")).filter((k) => k.includes("{vault}"))).toEqual([]);
  });
});

describe("link passwords", () => {
  it.each(["1234", "seven77"])("refuse %j: shorter than 8 characters", async (password) => {
    const res = await t.api("POST", "/api/links", { url: "https://example.com/", password });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([
      { path: "password", message: "must be at least 8 characters" },
    ]);
  });
});
