/**
 * Bulk links pasted as CSV (RFC 4180: commas, "quoted, fields" with "" for a quote, CRLF or LF),
 * turned into the items `createLinks` takes. A first row starting with `url` names the columns;
 * without one the columns are `url,slug`. Blank lines are skipped; an empty cell leaves the
 * setting out. Each item keeps the line it came from, for the per-row results.
 */

export const LINK_COLUMNS = [
  "url",
  "slug",
  "expiresAt",
  "maxClicks",
  "redirectStatus",
  "password",
  "expiredUrl",
  "forwardQuery",
  "tags",
] as const;
type Column = (typeof LINK_COLUMNS)[number];

/** Rows of a CSV text; each row's cells, and the line number (from 1) it starts on. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let touched = false;
  const endRow = () => {
    cells.push(cell);
    if (touched || cells.length > 1 || cell.trim() !== "") rows.push({ line: start, cells });
    cells = [];
    cell = "";
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      touched = true;
      cell = "";
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
      touched = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      start = line;
    } else cell += ch;
  }
  if (cell !== "" || cells.length > 0 || touched) endRow();
  return rows;
}

export type CsvLinks =
  | { ok: true; items: { line: number; item: Record<string, unknown> }[] }
  | { ok: false; message: string };

const TRUE = new Set(["true", "yes", "1", "on"]);
const FALSE = new Set(["false", "no", "0", "off", ""]);

/** A cell as the API's field type (numbers and booleans that do not parse are passed on for the schema to refuse). */
function cellValue(column: Column, text: string): unknown {
  switch (column) {
    case "maxClicks":
    case "redirectStatus":
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case "forwardQuery": {
      const lower = text.toLowerCase();
      return TRUE.has(lower) ? true : FALSE.has(lower) ? false : text;
    }
    case "tags":
      return text
        .split(/[;|]/)
        .map((t) => t.trim())
        .filter((t) => t !== "");
    default:
      return text;
  }
}

/** The pasted text as link items, or why the whole paste is refused (an unknown column, too many rows). */
export function linksFromCsv(text: string, maxRows: number): CsvLinks {
  const rows = parseCsv(text);
  let columns: Column[] = ["url", "slug"];
  const first = rows[0];
  if (first && first.cells[0]?.trim().toLowerCase() === "url") {
    const named: Column[] = [];
    for (const raw of first.cells) {
      const name = raw.trim();
      const column = LINK_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase());
      if (!column) return { ok: false, message: `unknown column "${name}": use ${LINK_COLUMNS.join(", ")}` };
      named.push(column);
    }
    columns = named;
    rows.shift();
  }
  if (rows.length === 0) return { ok: false, message: "paste at least one row: url,slug" };
  if (rows.length > maxRows) return { ok: false, message: `at most ${maxRows} rows at a time (got ${rows.length})` };
  const items = rows.map(({ line, cells }) => {
    const item: Record<string, unknown> = {};
    cells.forEach((raw, i) => {
      const column = columns[i];
      const value = raw.trim();
      if (value === "") return;
      // A cell beyond the named columns is kept under a name the schema refuses, so the row says so.
      if (!column) item[`column${i + 1}`] = value;
      else item[column] = cellValue(column, value);
    });
    return { line, item };
  });
  return { ok: true, items };
}
