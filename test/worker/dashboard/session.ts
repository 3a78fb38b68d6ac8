import { ADMIN_TOKEN, type testApp } from "../support.ts";

export const ORIGIN = "http://edgekit.test";

/** Headers of a same-origin form post, as a browser sends them. */
export const formHeaders = (extra: Record<string, string> = {}) => ({
  "content-type": "application/x-www-form-urlencoded",
  origin: ORIGIN,
  ...extra,
});

/** Signs in through the login form and returns the Cookie header the browser would send next. */
export async function signIn(t: ReturnType<typeof testApp>, token = ADMIN_TOKEN): Promise<string> {
  const res = await t.request("/admin/login", {
    method: "POST",
    headers: formHeaders(),
    body: new URLSearchParams({ token }).toString(),
    redirect: "manual",
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const cookie = res.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0] ?? "";
}

/** A dashboard page as the signed-in browser asks for it (redirects not followed). */
export const getPage = (t: ReturnType<typeof testApp>, path: string, cookie: string) =>
  t.request(path, { headers: { cookie }, redirect: "manual" });

/** A same-origin form post by the signed-in browser (redirects not followed). */
export const postForm = (t: ReturnType<typeof testApp>, path: string, cookie: string, fields: Record<string, string>) =>
  t.request(path, {
    method: "POST",
    headers: formHeaders({ cookie }),
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
