/** Access: API keys with scopes, dashboard users with roles. See docs/access.md. */
export type { ApiKey, ApiKeyRecord } from "./api-key.ts";
export { createKey, type NewKey } from "./create-key.ts";
export { dashboardAllows, dashboardPrincipal, keyRole, signInWithKey, signInWithPassword } from "./dashboard.ts";
export { listKeys } from "./list-keys.ts";
export { actorName, type Principal, ROLES, ROOT, type Role } from "./principal.ts";
export { revokeKey } from "./revoke-key.ts";
export { covers, grantProblem, holds, resolveScope, SCOPES, type Scope, scopesMarkdown } from "./scopes.ts";
export { isKeySecret } from "./token.ts";
export { createUser, type DashboardUser, deleteUser, listUsers, updateUser } from "./users.ts";
export { type KeyVerdict, keyById, LAST_USED_EVERY_MS, verifyKey } from "./verify-key.ts";
