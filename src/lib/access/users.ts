import { z } from "zod";
import { AppError, validationError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { CredentialCache } from "./cache.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { actorName, type Principal, ROLES, type Role } from "./principal.ts";
import { accessKeys, hashFields } from "./storage.ts";
import { newKeyId } from "./token.ts";
import type { AccessConfig } from "./verify-key.ts";

/** A dashboard user as listed: never the password hash. */
export interface DashboardUser {
  name: string;
  role: Role;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
}

/**
 * As stored. `generation` changes with the password: sessions carry it, so a new password (or a
 * user removed and made again) ends the old sessions.
 */
interface StoredUser extends DashboardUser {
  generation: string;
  password: string;
}

export type UsersConfig = AccessConfig & { PASSWORD_ITERATIONS: number };

export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;
export const USER_NAME_HINT = "1-32 of a-z 0-9 . _ - (lower case, starting with a letter or digit)";
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

const storedSchema = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.number(),
  createdBy: z.string(),
  updatedAt: z.number(),
  generation: z.string(),
  password: z.string(),
});

const decode = (text: string | null | undefined): StoredUser | undefined =>
  text ? storedSchema.parse(JSON.parse(text)) : undefined;

const shown = ({ password: _password, generation: _generation, ...user }: StoredUser): DashboardUser => user;

function checkName(name: string): void {
  if (!USER_NAME.test(name)) throw validationError([{ path: "name", message: USER_NAME_HINT }]);
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw validationError([{ path: "password", message: `${PASSWORD_MIN}-${PASSWORD_MAX} characters` }]);
  }
}

function checkRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw validationError([{ path: "role", message: `one of ${ROLES.join(", ")}` }]);
  }
}

/** Every user, by name. One HGETALL: users number in dozens. */
export async function listUsers(redis: RedisClient, config: AccessConfig): Promise<DashboardUser[]> {
  const all = hashFields(await redis.hgetall(accessKeys(config).users));
  return Object.values(all)
    .map((text) => shown(decode(text) as StoredUser))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates a user (409 when the name is taken). */
export async function createUser(
  redis: RedisClient,
  config: UsersConfig,
  input: { name: string; password: string; role: string },
  by: Principal,
  now: number,
): Promise<DashboardUser> {
  checkName(input.name);
  checkPassword(input.password);
  checkRole(input.role);
  const user: StoredUser = {
    name: input.name,
    role: input.role,
    createdAt: now,
    createdBy: actorName(by),
    updatedAt: now,
    generation: newKeyId().slice(4),
    password: await hashPassword(input.password, config.PASSWORD_ITERATIONS),
  };
  const added = await redis.hsetnx(accessKeys(config).users, user.name, JSON.stringify(user));
  if (!added) throw new AppError("conflict", `A user "${user.name}" exists already.`);
  return shown(user);
}

/**
 * Changes a user's role and/or password. A new password ends the user's sessions (a new
 * generation); a new role applies to live sessions within API_KEYS_CACHE_SECONDS.
 */
export async function updateUser(
  redis: RedisClient,
  config: UsersConfig,
  name: string,
  change: { role?: string; password?: string },
  now: number,
): Promise<DashboardUser> {
  checkName(name);
  if (change.role !== undefined) checkRole(change.role);
  if (change.password !== undefined) checkPassword(change.password);
  const key = accessKeys(config).users;
  const user = decode(await redis.hget<string>(key, name));
  if (!user) throw new AppError("not_found", `No user "${name}".`);
  const next: StoredUser = { ...user, updatedAt: now };
  if (change.role !== undefined) next.role = change.role as Role;
  if (change.password !== undefined) {
    next.password = await hashPassword(change.password, config.PASSWORD_ITERATIONS);
    next.generation = newKeyId().slice(4);
  }
  await redis.hset(key, { [name]: JSON.stringify(next) });
  forgetUser(config, name);
  return shown(next);
}

/** Removes a user; their sessions stop working within API_KEYS_CACHE_SECONDS (here at once). */
export async function deleteUser(redis: RedisClient, config: AccessConfig, name: string): Promise<void> {
  checkName(name);
  const removed = await redis.hdel(accessKeys(config).users, name);
  if (!removed) throw new AppError("not_found", `No user "${name}".`);
  forgetUser(config, name);
}

/**
 * The user when name and password match, else undefined, in the same time either way (see
 * `verifyPassword`). Returns the generation to put in the session.
 */
export async function authenticateUser(
  redis: RedisClient,
  config: UsersConfig,
  name: string,
  password: string,
): Promise<{ user: DashboardUser; generation: string } | undefined> {
  const user = USER_NAME.test(name) ? decode(await redis.hget<string>(accessKeys(config).users, name)) : undefined;
  const ok = await verifyPassword(password.slice(0, PASSWORD_MAX), user?.password, config.PASSWORD_ITERATIONS);
  return ok && user ? { user: shown(user), generation: user.generation } : undefined;
}

const sessionUsers = new CredentialCache<StoredUser | null>();
const cacheKey = (config: AccessConfig, name: string) => `${accessKeys(config).users}\n${name}`;

function forgetUser(config: AccessConfig, name: string): void {
  sessionUsers.delete(cacheKey(config, name));
}

/**
 * The user a dashboard session names, when it still exists with that generation; cached per
 * isolate for API_KEYS_CACHE_SECONDS, so dashboard pages cost no extra round trip most of the time.
 */
export async function sessionUser(
  redis: RedisClient,
  config: AccessConfig,
  name: string,
  generation: string,
  now: number,
): Promise<DashboardUser | undefined> {
  const key = cacheKey(config, name);
  let user = sessionUsers.get(key, now);
  if (user === undefined) {
    user = decode(await redis.hget<string>(accessKeys(config).users, name)) ?? null;
    sessionUsers.set(key, user, now, config.API_KEYS_CACHE_SECONDS * 1000);
  }
  return user && user.generation === generation ? shown(user) : undefined;
}
