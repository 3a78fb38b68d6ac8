import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { anchorsOf, checkLinks, slugify } from "../../../scripts/check-links.ts";

const root = resolve(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "check-links-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, "site-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("the link checker (scripts/check-links.ts)", () => {
  it("finds no dead link in the README, the changelog, docs/ and examples/", () => {
    expect(checkLinks(root)).toEqual([]);
  });

  it("keeps the README a front door of at most about 250 lines", () => {
    expect(readFileSync(join(root, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(260);
  });

  it("makes GitHub's anchors: lower case, punctuation dropped, code spans kept, repeats numbered", () => {
    expect(slugify("What `npm run dev` does")).toBe("what-npm-run-dev-does");
    expect(slugify("Deploying to Cloudflare Workers with Upstash")).toBe(
      "deploying-to-cloudflare-workers-with-upstash",
    );
    expect(slugify("Ties and ranks, exactly")).toBe("ties-and-ranks-exactly");
    expect(slugify("Locks & semaphores (fencing)")).toBe("locks--semaphores-fencing");
    expect(slugify("[Links](links.md) in a heading")).toBe("links-in-a-heading");
    const anchors = anchorsOf('# Keys\n\n## Keys\n\n```\n# not a heading\n```\n<a id="custom"></a>\n');
    expect([...anchors].sort()).toEqual(["custom", "keys", "keys-1"]);
  });

  it("reports a missing file, a missing anchor and an absolute path, and skips code and remote links", () => {
    const dir = site({
      "README.md": [
        "# Home",
        "[ok](docs/a.md#part-two) [self](#home) [folder](docs/)",
        "[gone](docs/missing.md) [no anchor](docs/a.md#part-three) [abs](/docs/a.md)",
        "[remote](https://example.com/x.md) [mail](mailto:a@example.com)",
        "`[code](nowhere.md)`",
        "```",
        "[fenced](nowhere.md)",
        "```",
        "[ref]: docs/also-missing.md",
      ].join("\n"),
      "docs/a.md": "# A\n\n## Part two\n\n[back](../README.md#home) [bad back](../README.md#away)\n",
    });
    const dead = checkLinks(dir).map(({ file, line, target }) => `${file}:${line} ${target}`);
    expect(dead).toEqual([
      "README.md:3 docs/missing.md",
      "README.md:3 docs/a.md#part-three",
      "README.md:3 /docs/a.md",
      "README.md:9 docs/also-missing.md",
      "docs/a.md:5 ../README.md#away",
    ]);
  });

  it("exits 1 with one line per dead link, and 0 when there is none; .ci/run calls it", () => {
    const bad = site({ "README.md": "[x](nope.md)\n" });
    const run = (dir: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/check-links.ts", dir], { cwd: root, encoding: "utf8" });
    const failed = run(bad);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("README.md:1: nope.md: no such file: nope.md");
    expect(run(site({ "README.md": "[x](README.md)\n" })).status).toBe(0);
    expect(readFileSync(join(root, ".ci/run"), "utf8")).toContain("npx tsx scripts/check-links.ts");
  });
});
