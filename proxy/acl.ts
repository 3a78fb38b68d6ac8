import { createHash, randomBytes } from "node:crypto";

/**
 * Commands no token may run, beyond Redis's `@dangerous` category: they reach another database
 * (SELECT, MOVE, COPY ... DB; SWAPDB and MIGRATE are `@dangerous` already), manage users, or
 * put a shared connection into a debugging session.
 */
const DENIED_FOR_ALL = ["-acl", "-select", "-move", "-copy", "-script|debug"];

/** `@dangerous` commands that Upstash serves and that stay inside the token's database. */
const UPSTASH_DANGEROUS_READS = ["+keys", "+sort_ro"];
const UPSTASH_DANGEROUS_WRITES = ["+sort", "+flushdb"];

/**
 * Commands a read-only token may not run although Redis 7.0 flags them neither `write` nor
 * `admin`: PUBLISH reaches every subscriber, SCRIPT FLUSH empties the shared script cache, the
 * KILLs stop other clients' scripts, and EVAL/EVALSHA/FCALL would let a script write (the proxy
 * sends their `_RO` twins instead, which Redis holds to no writes).
 */
export const READ_ONLY_DENIED = [
  "publish",
  "spublish",
  "script|flush",
  "script|kill",
  "function|kill",
  "eval",
  "evalsha",
  "fcall",
];

/** One token's Redis user: the name is derived from the token, the password is new each start. */
export interface TokenUser {
  name: string;
  password: string;
  /** A twin allowed COPY (and no scripts), switched to for the COPY commands the proxy has checked. */
  copier: { name: string; password: string };
}

/** A Redis ACL user name for a token: a hash of it, so neither ACL LIST nor CLIENT LIST shows the token. */
export function aclUserName(token: string): string {
  return `edgekit-proxy-${createHash("sha256").update(token).digest("hex").slice(0, 24)}`;
}

export function newTokenUser(token: string): TokenUser {
  const name = aclUserName(token);
  const password = () => randomBytes(32).toString("hex");
  return { name, password: password(), copier: { name: `${name}-copy`, password: password() } };
}

export interface RuleInput {
  readOnly: boolean;
  /** The token's database: the only one it may SELECT (the connection does so when it connects). */
  db: number;
  /** Commands the proxy was told to allow (`--allow`), as "CONFIG SET" or "DEBUG". Full tokens only. */
  allow: Iterable<string>;
}

/**
 * The ACL SETUSER rules of a token's user, after its name and password. Every rule is reset first
 * (except passwords, so a second proxy with the same token does not lock the first out).
 *
 * @example tokenRules({ readOnly: true, db: 3, allow: [] })
 * // ["on", "resetkeys", "~*", "resetchannels", "&*", "-@all", "+@all", "-@write", ...]
 */
export function tokenRules({ readOnly, db, allow }: RuleInput): string[] {
  const rules = ["on", "resetkeys", "~*", "resetchannels", "&*", "clearselectors", "-@all", "+@all"];
  if (readOnly) {
    rules.push("-@write", "-@admin", "-@dangerous", ...DENIED_FOR_ALL, ...UPSTASH_DANGEROUS_READS);
    rules.push(...READ_ONLY_DENIED.map((command) => `-${command}`));
  } else {
    rules.push("-@dangerous", ...DENIED_FOR_ALL, ...UPSTASH_DANGEROUS_READS, ...UPSTASH_DANGEROUS_WRITES);
    for (const command of allow) rules.push(`+${command.toLowerCase().replace(" ", "|")}`);
  }
  rules.push(`+select|${db}`);
  return rules;
}

/** The copier twin: the full token's rights plus COPY, minus every script (which could COPY ... DB). */
export function copierRules(input: RuleInput): string[] {
  return [...tokenRules(input), "+copy", "-@scripting"];
}

/** The database a `redis://host:port/3` URL selects (0 when it names none). */
export function databaseOf(redisUrl: string): number {
  const db = Number(new URL(redisUrl).pathname.slice(1) || "0");
  if (!Number.isInteger(db) || db < 0) throw new Error(`not a database number in ${redisUrl}`);
  return db;
}

/** The URL a token connects with: its own user and password, on the same host, port and database. */
export function urlAs(redisUrl: string, user: { name: string; password: string }): string {
  const url = new URL(redisUrl);
  url.username = encodeURIComponent(user.name);
  url.password = encodeURIComponent(user.password);
  return url.toString();
}

/** The server part of a URL (credentials, host, port), shared by every database on it. */
export function serverOf(redisUrl: string): string {
  const url = new URL(redisUrl);
  url.pathname = "";
  url.search = "";
  return url.toString().replace(/\/$/, "");
}
