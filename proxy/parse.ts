import { ProxyError } from "./errors.ts";

/** A command as sent to Redis: name first, every argument already a string. */
export type Command = string[];

/** Parses a JSON body, saying what is wrong instead of a bare "bad request". */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new ProxyError(400, 'ERR empty request body: send a JSON array such as ["GET","key"]');
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new ProxyError(400, `ERR the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** `["SET","k","v","EX",100]` -> a Command; numbers and booleans become their text. */
export function toCommand(value: unknown, where = "the request body"): Command {
  if (!Array.isArray(value)) {
    throw new ProxyError(400, `ERR ${where} must be a JSON array of strings and numbers, such as ["GET","key"]`);
  }
  if (value.length === 0) throw new ProxyError(400, `ERR ${where} is an empty command: put the command name first`);
  const command: Command = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const arg = value[i];
    if (typeof arg === "string") command[i] = arg;
    else if (typeof arg === "number" && Number.isFinite(arg)) command[i] = String(arg);
    else if (typeof arg === "boolean") command[i] = String(arg);
    else {
      throw new ProxyError(
        400,
        `ERR argument ${i} of ${where} is ${describe(arg)}; only strings and numbers are allowed`,
      );
    }
  }
  if (command[0] === "") throw new ProxyError(400, `ERR ${where} has an empty command name`);
  return command;
}

/** `[["SET","a","1"],["GET","a"]]` -> Commands for /pipeline and /multi-exec. */
export function toCommands(value: unknown): Command[] {
  if (!Array.isArray(value)) {
    throw new ProxyError(
      400,
      'ERR the request body must be a JSON array of commands, such as [["GET","a"],["GET","b"]]',
    );
  }
  if (value.length === 0) throw new ProxyError(400, "ERR the request body holds no commands");
  return value.map((item, i) => toCommand(item, `command ${i}`));
}

/**
 * Path-style command: `/set/foo/bar?EX=100` -> ["set","foo","bar","EX","100"]. Segments are
 * URL-decoded, query parameters (except `_token`) become arguments, and a non-empty body becomes
 * the last argument, as on Upstash.
 */
export function pathCommand(path: string, query: URLSearchParams | null, body: Buffer): Command {
  const command: Command = [];
  for (const segment of path.split("/")) {
    if (segment === "") continue;
    try {
      command.push(decodeURIComponent(segment));
    } catch {
      throw new ProxyError(400, `ERR the path segment "${segment}" is not valid URL encoding`);
    }
  }
  if (query) {
    for (const [key, value] of query) {
      if (key === "_token") continue;
      command.push(key);
      if (value !== "") command.push(value);
    }
  }
  if (body.length > 0) command.push(body.toString("utf8"));
  return command;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
