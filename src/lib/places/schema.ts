import { z } from "zod";
import { MAX_LATITUDE, MAX_LONGITUDE, UNITS } from "./geo.ts";
import { MAX_POLYGON_POINTS, openRing, polygonProblem } from "./polygon.ts";

/** The limits of the places primitive (docs/places.md, "Limits"). */
export const LIMITS = {
  /** Places in one bulk upsert (one round trip). */
  bulk: 1000,
  /** Bytes of one place's `data`, as JSON in UTF-8. */
  dataBytes: 4096,
  /** Longest `ttlSeconds` of a live position (30 days). */
  ttlSeconds: 30 * 86_400,
  /** Fences per set. */
  fences: 100,
  /** Largest circle fence, in metres. */
  fenceRadius: 1_000_000,
  /** Most results of one nearby search. */
  nearby: 100,
  /** Largest radius of a nearby search (half the earth's circumference), in metres. */
  searchMeters: 20_037_509,
} as const;

/** Set names form keys (with their hash tag), so no braces and a bounded length. */
export const SET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const SET_HINT = "must be 1 to 64 of A-Z a-z 0-9 _ -, starting with a letter or digit";
/** Place and fence ids are members and fields, never keys; `:` and `.` allowed ("driver:42"). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
export const ID_HINT = "must be 1 to 128 of A-Z a-z 0-9 _ . : -, starting with a letter or digit";

/** Path segments under /api/places/{set}/ that name routes, so they cannot name a place. */
export const RESERVED_IDS: ReadonlySet<string> = new Set(["nearby", "bulk", "fences"]);

export const setNameSchema = z.string().regex(SET_PATTERN, SET_HINT);
export const placeIdSchema = z
  .string()
  .regex(ID_PATTERN, ID_HINT)
  .refine((id) => !RESERVED_IDS.has(id), "is reserved (nearby, bulk, fences name routes); use another id");
export const fenceIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
    "must be 1 to 64 of A-Z a-z 0-9 _ . : -, starting with a letter or digit",
  );

export const latitudeSchema = z
  .number({ error: "must be a number (decimal degrees)" })
  .min(-MAX_LATITUDE, `must be between -${MAX_LATITUDE} and ${MAX_LATITUDE} (Redis's GEO limit)`)
  .max(MAX_LATITUDE, `must be between -${MAX_LATITUDE} and ${MAX_LATITUDE} (Redis's GEO limit)`);
export const longitudeSchema = z
  .number({ error: "must be a number (decimal degrees)" })
  .min(-MAX_LONGITUDE, "must be between -180 and 180")
  .max(MAX_LONGITUDE, "must be between -180 and 180");

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/**
 * A place's `data`: any JSON object, kept exactly as sent. `z.custom` passes the parsed value
 * through untouched (a copying schema would turn a `__proto__` member into a prototype).
 */
const dataSchema = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    "must be a JSON object",
  )
  .refine(
    (value) => utf8Bytes(JSON.stringify(value)) <= LIMITS.dataBytes,
    `must be at most ${LIMITS.dataBytes} bytes as JSON`,
  )
  .meta({ type: "object", description: `Any JSON object, up to ${LIMITS.dataBytes} bytes` });

const ttlSchema = z
  .number()
  .int("must be a whole number of seconds")
  .min(1, "must be at least 1")
  .max(LIMITS.ttlSeconds, `must be at most ${LIMITS.ttlSeconds} (30 days)`);

const positionFields = {
  lat: latitudeSchema,
  lon: longitudeSchema,
  data: dataSchema.optional(),
  ttlSeconds: ttlSchema.optional(),
};

/** The body of `PUT /api/places/{set}/{id}`. Without `ttlSeconds` a place is kept until deleted. */
export const placeInputSchema = z.strictObject(positionFields);
export type PlaceInput = z.infer<typeof placeInputSchema>;

/** The body of `POST /api/places/{set}/bulk`: validated whole, so one bad item writes nothing. */
export const bulkInputSchema = z.strictObject({
  places: z
    .array(z.strictObject({ id: placeIdSchema, ...positionFields }))
    .min(1, "must hold at least one place")
    .max(LIMITS.bulk, `must hold at most ${LIMITS.bulk} places`),
});
export type BulkInput = z.infer<typeof bulkInputSchema>;

/** `PUT /api/places/{set}`: the set's settings. */
export const settingsInputSchema = z.strictObject({
  nearby: z.enum(["public", "admin"], { error: 'must be "public" or "admin"' }),
});
export type SetSettings = z.infer<typeof settingsInputSchema>;

/** What a set without settings gets: nearby searches need the admin token. */
export const DEFAULT_SETTINGS: SetSettings = { nearby: "admin" };

const pointSchema = z.strictObject({ lat: latitudeSchema, lon: longitudeSchema });

const circleSchema = z.strictObject({
  type: z.literal("circle"),
  lat: latitudeSchema,
  lon: longitudeSchema,
  radius: z
    .number()
    .positive("must be more than 0")
    .max(LIMITS.fenceRadius, `must be at most ${LIMITS.fenceRadius} (metres)`)
    .describe("Metres"),
});

const polygonSchema = z.strictObject({
  type: z.literal("polygon"),
  points: z
    .array(pointSchema)
    .min(3, "must have at least 3 points")
    // One more than the limit: a closing repeat of the first point is allowed.
    .max(MAX_POLYGON_POINTS + 1, `must have at most ${MAX_POLYGON_POINTS} points`)
    .superRefine((points, ctx) => {
      const problem = polygonProblem(openRing(points));
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});

/** The body of `PUT /api/places/{set}/fences/{fence}`. */
export const fenceInputSchema = z.discriminatedUnion("type", [circleSchema, polygonSchema], {
  error: 'must be a circle {"type":"circle","lat","lon","radius"} or a polygon {"type":"polygon","points":[...]}',
});
export type FenceInput = z.infer<typeof fenceInputSchema>;

export const unitSchema = z.enum(Object.keys(UNITS) as [keyof typeof UNITS], {
  error: "must be one of m, km, mi, ft",
});
