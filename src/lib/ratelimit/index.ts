export { checkLimit, type LimitOutcome } from "./check-limit.ts";
export { getQuota, type PolicyQuota } from "./get-quota.ts";
export { rateLimitHeaders } from "./headers.ts";
export { identifierSchema } from "./identifier.ts";
export { DEFAULT_POLICIES, POLICY_NAMES, type Policy, type PolicyName } from "./policies.ts";
export { resetQuota } from "./reset-quota.ts";
