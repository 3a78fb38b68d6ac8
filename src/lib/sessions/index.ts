/** Sessions: server-side, behind an opaque cookie. See docs/sessions.md. */
export { type CreatedSession, createDashboardSession, createSession, type NewSession } from "./create-session.ts";
export { destroySession } from "./destroy-session.ts";
export { destroyUserSession, HANDLE_PATTERN } from "./destroy-user-session.ts";
export { destroyUserSessions } from "./destroy-user-sessions.ts";
export { listUserSessions } from "./list-user-sessions.ts";
export { readSession } from "./read-session.ts";
export { rotateSession } from "./rotate-session.ts";
export {
  type JsonValue,
  RESERVED_USER_ID_PREFIX,
  SESSION_LIMITS,
  type Session,
  type SessionConfig,
  type SessionSummary,
  sessionTimeouts,
  userIdProblem,
} from "./session.ts";
export { userTag } from "./token.ts";
export { updateSessionData } from "./update-session-data.ts";
