/** Server-rendered SVG charts for the admin dashboard: pure functions from numbers to markup. */

export { ADMIN_USER_ID, MAX_TOKEN_LENGTH, startAdminSession } from "./admin-session.ts";
export { type BarItem, barList } from "./bar-list.ts";
export { type DailyPoint, dailyChart } from "./daily-chart.ts";
export { applyEdit, editFlag, type FlagEdit } from "./edit-flag.ts";
export { sparkline } from "./sparkline.ts";
export { compactNumber, escapeXml, niceTicks } from "./svg.ts";
