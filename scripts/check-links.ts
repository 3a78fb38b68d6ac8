/**
 * `tsx scripts/check-links.ts [root]`: fails (exit 1) on a relative link in README.md, CHANGELOG.md,
 * docs/ or examples/ whose file does not exist, or whose `#anchor` names no heading of the target
 * page (GitHub's slugs: lower case, punctuation dropped, spaces to `-`, repeats numbered `-1`, `-2`).
 * Links in code blocks and code spans are not links. Remote links are not fetched: CI runs offline.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export type DeadLink = { file: string; line: number; target: string; reason: string };

/** GitHub's anchor for a heading's text (github-slugger). */
export function slugify(heading: string): string {
  return plainText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replaceAll(" ", "-");
}

/** A heading as GitHub renders its text: code spans, emphasis and links reduced to their words. */
function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/<[^>]+>/g, "")
    .trim();
}

/** The lines of a page outside fenced code blocks, with code spans blanked, numbered from 1. */
function proseLines(text: string): { line: number; text: string; raw: string }[] {
  const out: { line: number; text: string; raw: string }[] = [];
  let fence: string | undefined;
  text.split("\n").forEach((raw, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: index + 1, text: raw.replace(/`+[^`]*`+/g, ""), raw });
  });
  return out;
}

/** Every anchor a page offers: its headings' slugs (numbered when repeated) and explicit ids. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line, raw } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading?.[1] !== undefined) {
      const base = slugify(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1] as string);
  }
  return anchors;
}

function linksOf(text: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { line, text: prose } of proseLines(text)) {
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: match[1] as string });
    }
    const reference = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
    if (reference?.[1]) links.push({ line, target: reference[1] });
    for (const match of prose.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)) {
      links.push({ line, target: match[1] as string });
    }
  }
  return links;
}

/** The markdown files the checker reads, relative to root. */
export function pagesOf(root: string): string[] {
  const pages = ["README.md", "CHANGELOG.md"].filter((file) => existsSync(join(root, file)));
  const walk = (dir: string) => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir))) {
      if (entry === "node_modules" || entry.startsWith(".")) continue;
      const path = join(dir, entry);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (entry.endsWith(".md")) pages.push(path);
    }
  };
  walk("docs");
  walk("examples");
  return pages;
}

export function checkLinks(root: string, pages = pagesOf(root)): DeadLink[] {
  const dead: DeadLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    let set = anchorCache.get(file);
    if (!set) {
      set = anchorsOf(readFileSync(file, "utf8"));
      anchorCache.set(file, set);
    }
    return set;
  };
  for (const page of pages) {
    const absolute = resolve(root, page);
    for (const { line, target } of linksOf(readFileSync(absolute, "utf8"))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue; // remote, mailto:
      const hash = target.indexOf("#");
      const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const file = path === "" ? absolute : resolve(dirname(absolute), path.split("?")[0] as string);
      const report = (reason: string) => dead.push({ file: page, line, target, reason });
      if (path.startsWith("/")) {
        report("absolute paths break outside GitHub: link relative to this page");
      } else if (!existsSync(file)) {
        report(`no such file: ${relative(root, file)}`);
      } else if (anchor !== undefined && anchor !== "") {
        if (!file.endsWith(".md")) report("an anchor into a file that is not markdown");
        else if (!anchors(file).has(anchor)) report(`no heading "#${anchor}" in ${relative(root, file)}`);
      }
    }
  }
  return dead;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = resolve(process.argv[2] ?? ".");
  const pages = pagesOf(root);
  const dead = checkLinks(root, pages);
  for (const link of dead) {
    process.stderr.write(`${link.file}:${link.line}: ${link.target}: ${link.reason}\n`);
  }
  if (dead.length > 0) {
    process.stderr.write(`${dead.length} dead link(s) in ${pages.length} pages\n`);
    process.exit(1);
  }
  process.stdout.write(`links: ${pages.length} pages, no dead links\n`);
}
