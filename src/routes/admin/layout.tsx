import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { STYLES } from "./styles.ts";

export type Section =
  | "links"
  | "flags"
  | "experiments"
  | "views"
  | "leaderboards"
  | "trending"
  | "places"
  | "queues"
  | "sessions"
  | "ratelimits"
  | "users"
  | "realtime"
  | "cache";

const SECTIONS: { id: Section; title: string }[] = [
  { id: "links", title: "Links" },
  { id: "flags", title: "Flags" },
  { id: "experiments", title: "Experiments" },
  { id: "views", title: "Views" },
  { id: "leaderboards", title: "Leaderboards" },
  { id: "trending", title: "Trending" },
  { id: "places", title: "Places" },
  { id: "queues", title: "Queues" },
  { id: "sessions", title: "Sessions" },
  { id: "ratelimits", title: "Rate limits" },
  { id: "users", title: "Users" },
  { id: "realtime", title: "Realtime" },
  { id: "cache", title: "Cache" },
];

/** Every dashboard page: viewport meta for phones, the inlined stylesheet, the navigation. */
export function Layout(props: { title: string; section?: Section; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · edgekit`}</title>
        <style>{raw(STYLES)}</style>
        {props.section ? <script src="/admin/assets/dashboard.js" defer /> : null}
      </head>
      <body>
        {props.section ? (
          <header>
            <a class="brand" href="/admin">
              edgekit
            </a>
            <nav>
              {SECTIONS.map((s) => (
                <a href={`/admin/${s.id}`} aria-current={s.id === props.section ? "page" : undefined}>
                  {s.title}
                </a>
              ))}
            </nav>
            <form method="post" action="/admin/logout">
              <button type="submit">Log out</button>
            </form>
          </header>
        ) : null}
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** A message above a page's content: what went wrong, or what just happened. */
export function Notice(props: { kind: "error" | "warn" | "ok"; children?: Child }) {
  return (
    <div class={`notice ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

/** Inline SVG built by src/lib/dashboard (which escapes every text it puts in). */
export function Svg(props: { markup: string }) {
  return <>{raw(props.markup)}</>;
}
