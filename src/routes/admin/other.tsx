import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { PendingPage } from "./pending.tsx";

/** Experiments and views: placeholders until their libraries land (see PendingPage). */
export const otherPages = new Hono<AppEnv>()
  .get("/admin/experiments", (c) =>
    c.html(
      <PendingPage
        section="experiments"
        title="Experiments"
        what="Experiment results (bars per variant, lift, p-value, SRM check)"
      />,
    ),
  )
  .get("/admin/views", (c) => c.html(<PendingPage section="views" title="Views" what="Top pages and views per day" />));
