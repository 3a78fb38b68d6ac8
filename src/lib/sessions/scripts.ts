import type { ScriptLimit } from "../ratelimit/limited-script.ts";
import { limitedScript } from "../ratelimit/limited-script.ts";
import { defineScript } from "../redis.ts";
import createSource from "./create.lua";
import destroySource from "./destroy.lua";
import destroyUserSource from "./destroy-user.lua";
import listUserSource from "./list-user.lua";
import patchSource from "./patch.lua";
import readSource from "./read.lua";
import rotateSource from "./rotate.lua";

/** The rate-limit check a cookie route folds into its script (`c.var.rateLimit.forScript()`). */
export type { ScriptLimit };

/** The sessions' Lua scripts; each verb decodes the raw reply for its own needs. */
const raw = (reply: unknown) => reply;
const integer = (reply: unknown) => Number(reply);

export const scripts = {
  create: defineScript(createSource, integer),
  // The cookie routes are public: their rate-limit check rides in the same script, one round trip.
  read: limitedScript(readSource, raw),
  patch: limitedScript(patchSource, raw),
  rotate: limitedScript(rotateSource, raw),
  destroy: limitedScript(destroySource, integer),
  destroyUser: defineScript(destroyUserSource, integer),
  listUser: defineScript(listUserSource, raw),
};
