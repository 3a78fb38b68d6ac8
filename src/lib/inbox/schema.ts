import { z } from "zod";

/** Largest notification data, as JSON text (bytes). */
export const MAX_NOTIFICATION_DATA_BYTES = 8 * 1024;

/** A notification as notify takes it: the HTTP route's body and the RPC method's argument. */
export const notificationInputSchema = z.strictObject({
  title: z.string().min(1).max(256),
  body: z.string().max(4096).optional(),
  data: z.unknown().optional(),
  key: z.string().min(1).max(256).optional().describe("A second notify with this key is a no-op"),
});
