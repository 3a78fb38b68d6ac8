export { badgeSvg, formatCount } from "./badge.ts";
export { type CountedView, countView, type ViewsConfig } from "./count-view.ts";
export { MAX_PAGE_ID, MAX_PAGE_URL, pageIdFromUrl, pageIdProblem } from "./page-id.ts";
export { type PageViews, readTotal, readViews } from "./read-views.ts";
export { TOP_PERIODS, type TopPeriod, topPages } from "./top-pages.ts";
