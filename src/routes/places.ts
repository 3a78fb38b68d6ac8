import { createRoute, z } from "@hono/zod-openapi";
import {
  bulkInputSchema,
  type CfLocation,
  deleteFence,
  deletePlace,
  deleteSet,
  fenceIdSchema,
  fenceInputSchema,
  findNearby,
  getFence,
  getPlace,
  LIMITS,
  latitudeSchema,
  listFences,
  longitudeSchema,
  placeIdSchema,
  placeInputSchema,
  putFence,
  putSettings,
  readSet,
  searchArea,
  searchCentre,
  setNameSchema,
  settingsInputSchema,
  unitSchema,
  upsertPlaces,
} from "../lib/places/index.ts";
import { optionalPrincipal, permits, secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const tags = ["places"];
const noStore = { "cache-control": "no-store" };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});
const unauthorized = unauthorizedResponse;
const invalid = problemResponse("A parameter or the body fails validation; `errors` lists the fields");
/** What the management routes declare: reads and writes take their own scope. */
const reader = { tags, ...secured("places:read") };
const writer = { tags, ...secured("places:write") };

const setParams = z.object({ set: setNameSchema.openapi({ param: { name: "set", in: "path" }, example: "stores" }) });
const placeParams = setParams.extend({
  id: placeIdSchema.openapi({ param: { name: "id", in: "path" }, example: "berlin-mitte" }),
});
const fenceParams = setParams.extend({
  fence: fenceIdSchema.openapi({ param: { name: "fence", in: "path" }, example: "depot" }),
});

/** A number in a query string: "" and "abc" are refused (z.coerce would read "" as 0). */
const queryNumber = <T extends z.ZodNumber>(schema: T) =>
  z
    .string()
    .trim()
    .regex(/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, "must be a number")
    .transform(Number)
    .pipe(schema);
const distance = (max: string) =>
  z
    .number()
    .positive("must be more than 0")
    .openapi({ description: `In \`unit\`; at most ${max}` });

const placeSchema = z
  .object({
    id: z.string(),
    lat: z.number(),
    lon: z.number(),
    data: z.record(z.string(), z.unknown()),
    updatedAt: z.string(),
    expiresAt: z.string().nullable().openapi({ description: "null: kept until deleted" }),
  })
  .openapi("Place");
const eventSchema = z.object({ type: z.enum(["enter", "leave"]), fence: z.string() }).openapi("FenceEvent");
const pointSchema = z.object({ lat: z.number(), lon: z.number() });
const fenceSchema = z
  .object({
    id: z.string(),
    type: z.enum(["circle", "polygon"]),
    lat: z.number().optional(),
    lon: z.number().optional(),
    radius: z.number().optional().openapi({ description: "Circle: metres" }),
    points: z.array(pointSchema).optional(),
    bounds: pointSchema
      .extend({ radius: z.number() })
      .optional()
      .openapi({ description: "Polygon: the circle around it the update script's pre-filter uses" }),
    updatedAt: z.string(),
  })
  .openapi("Fence");
const setInfoSchema = z
  .object({
    set: z.string(),
    settings: settingsInputSchema,
    places: z.number().int(),
    live: z.number().int(),
    fences: z.number().int(),
    events: z.number().int(),
  })
  .openapi("PlaceSet");

const putSetRoute = createRoute({
  ...writer,
  method: "put",
  path: "/api/places/{set}",
  summary: 'A set\'s settings: whether nearby searches are public or need the admin token (default "admin")',
  request: { params: setParams, body: body(settingsInputSchema.openapi("PlaceSetSettings")) },
  responses: { 200: json(setInfoSchema, "The set with its new settings"), 401: unauthorized, 422: invalid },
});

const getSetRoute = createRoute({
  ...reader,
  method: "get",
  path: "/api/places/{set}",
  summary: "A set's settings (defaults when never set) and counts",
  request: { params: setParams },
  responses: { 200: json(setInfoSchema, "The set"), 401: unauthorized, 422: invalid },
});

const deleteSetRoute = createRoute({
  ...writer,
  method: "delete",
  path: "/api/places/{set}",
  summary: "Delete a set whole: places, fences, settings and events",
  request: { params: setParams },
  responses: { 204: { description: "Deleted (also when there was nothing)" }, 401: unauthorized, 422: invalid },
});

const nearbyRoute = createRoute({
  tags,
  method: "get",
  path: "/api/places/{set}/nearby",
  summary: "Live places nearest a point (by default the visitor's, from request.cf), nearest first, in one round trip",
  description:
    "Public when the set's settings say `nearby: \"public\"`, else it needs the admin token. Without `lat`/`lon` the centre is the visitor's approximate location from Cloudflare (city-level); the reply's `centre.source` says which was used. A radius (default 5 km) or a box (`width` and `height`).",
  request: {
    params: setParams,
    query: z.object({
      lat: queryNumber(latitudeSchema).optional(),
      lon: queryNumber(longitudeSchema).optional(),
      radius: queryNumber(distance("20,037 km")).optional(),
      width: queryNumber(distance("40,075 km")).optional(),
      height: queryNumber(distance("40,075 km")).optional(),
      unit: unitSchema.default("km"),
      limit: queryNumber(
        z.number().int("must be a whole number").min(1).max(LIMITS.nearby, `must be at most ${LIMITS.nearby}`),
      ).default(10),
    }),
  },
  responses: {
    200: json(
      z.object({
        set: z.string(),
        centre: z.object({
          lat: z.number(),
          lon: z.number(),
          source: z.enum(["query", "cf"]),
          city: z.string().optional(),
          country: z.string().optional(),
        }),
        area: z.object({
          by: z.enum(["radius", "box"]),
          radius: z.number().optional(),
          width: z.number().optional(),
          height: z.number().optional(),
          unit: z.string(),
        }),
        places: z.array(
          placeSchema.extend({
            distance: z.number().openapi({ description: "In `unit`, from the centre" }),
            bearing: z.number().openapi({ description: "Degrees clockwise from north, from the centre" }),
          }),
        ),
      }),
      "The places, nearest first",
    ),
    400: problemResponse("No lat/lon and no location in request.cf; the detail says how to pass one"),
    401: problemResponse('The set is admin-only (nearby: "admin") and the admin token is missing or wrong'),
    422: invalid,
    429: problemResponse("Over the places-nearby rate limit"),
  },
});

const bulkRoute = createRoute({
  ...writer,
  method: "post",
  path: "/api/places/{set}/bulk",
  summary: `Create or update up to ${LIMITS.bulk} places in one request and one Redis round trip`,
  description: "Validated whole: one bad item is a 422 and nothing is written. Each place gets its fence events.",
  request: { params: setParams, body: body(bulkInputSchema.openapi("PlaceBulk")) },
  responses: {
    200: json(
      z.object({
        upserted: z.number().int(),
        created: z.number().int(),
        pruned: z.number().int(),
        events: z.array(eventSchema.extend({ index: z.number().int(), id: z.string() })),
      }),
      "Written; the fence events of every place, in input order",
    ),
    401: unauthorized,
    422: invalid,
  },
});

const listFencesRoute = createRoute({
  ...reader,
  method: "get",
  path: "/api/places/{set}/fences",
  summary: "Every geofence of a set",
  request: { params: setParams },
  responses: {
    200: json(z.object({ fences: z.array(fenceSchema) }), "The fences by id"),
    401: unauthorized,
    422: invalid,
  },
});

const putFenceRoute = createRoute({
  ...writer,
  method: "put",
  path: "/api/places/{set}/fences/{fence}",
  summary: `Create or replace a geofence: a circle or a simple polygon of up to 100 points (at most ${LIMITS.fences} per set)`,
  request: { params: fenceParams, body: body(fenceInputSchema.openapi("FenceInput")) },
  responses: {
    200: json(fenceSchema, "Replaced"),
    201: json(fenceSchema, "Created"),
    401: unauthorized,
    409: problemResponse(`The set already holds ${LIMITS.fences} fences`),
    422: invalid,
  },
});

const getFenceRoute = createRoute({
  ...reader,
  method: "get",
  path: "/api/places/{set}/fences/{fence}",
  summary: "Read a geofence",
  request: { params: fenceParams },
  responses: {
    200: json(fenceSchema, "The fence"),
    401: unauthorized,
    404: problemResponse("No such fence"),
    422: invalid,
  },
});

const deleteFenceRoute = createRoute({
  ...writer,
  method: "delete",
  path: "/api/places/{set}/fences/{fence}",
  summary: "Delete a geofence (places inside it leave it without an event)",
  request: { params: fenceParams },
  responses: {
    204: { description: "Deleted" },
    401: unauthorized,
    404: problemResponse("No such fence"),
    422: invalid,
  },
});

const putPlaceRoute = createRoute({
  ...writer,
  method: "put",
  path: "/api/places/{set}/{id}",
  summary: "Create or update a place (a live position with ttlSeconds); answers the fences it entered or left",
  request: { params: placeParams, body: body(placeInputSchema.openapi("PlaceInput")) },
  responses: {
    200: json(
      z.object({ place: placeSchema, events: z.array(eventSchema), pruned: z.number().int() }),
      "Updated; `events` lists the fences entered and left, `pruned` the expired positions removed",
    ),
    201: json(z.object({ place: placeSchema, events: z.array(eventSchema), pruned: z.number().int() }), "Created"),
    401: unauthorized,
    422: invalid,
  },
});

const getPlaceRoute = createRoute({
  ...reader,
  method: "get",
  path: "/api/places/{set}/{id}",
  summary: "Read a place, with the fences it is inside",
  request: { params: placeParams },
  responses: {
    200: json(placeSchema.extend({ fences: z.array(z.string()) }), "The place"),
    401: unauthorized,
    404: problemResponse("No such place, or its live position expired"),
    422: invalid,
  },
});

const deletePlaceRoute = createRoute({
  ...writer,
  method: "delete",
  path: "/api/places/{set}/{id}",
  summary: "Delete a place",
  request: { params: placeParams },
  responses: {
    204: { description: "Deleted" },
    401: unauthorized,
    404: problemResponse("No such place"),
    422: invalid,
  },
});

// Routes with a fixed segment after {set} go first, so "nearby", "bulk" and "fences" never read as ids.
export const placesRoutes = createRouter()
  .openapi(nearbyRoute, async (c) => {
    const { set } = c.req.valid("param");
    const query = c.req.valid("query");
    const area = searchArea(query);
    // request.cf is read only when needed: the runtime builds it on first access.
    const centre = searchCentre(
      query,
      query.lat === undefined && query.lon === undefined ? cfOf(c.req.raw) : undefined,
    );
    const config = c.get("config");
    const principal = await optionalPrincipal(c);
    const asAdmin = principal !== undefined && permits(c, principal, "places:read");
    const limit = await c.get("rateLimit").forScript(); // the check runs inside nearby.lua
    const places = await findNearby(
      c.get("redis"),
      config,
      {
        set,
        centre: { lat: centre.lat, lon: centre.lon },
        area,
        count: query.limit,
        now: c.get("clock").now(),
        admin: asAdmin,
      },
      limit,
    );
    return c.json({ set, centre, area, places }, 200, noStore);
  })
  .openapi(bulkRoute, async (c) => {
    const { set } = c.req.valid("param");
    const { places } = c.req.valid("json");
    const limit = await c.get("rateLimit").forScript(); // one unit per bulk, checked inside the script
    const result = await upsertPlaces(c.get("redis"), c.get("config"), set, places, c.get("clock").now(), limit);
    const events = result.places.flatMap(({ place, events: list }, index) =>
      list.map((event) => ({ index, id: place.id, ...event })),
    );
    return c.json({ upserted: places.length, created: result.created, pruned: result.pruned, events }, 200);
  })
  .openapi(listFencesRoute, async (c) => {
    const fences = await listFences(c.get("redis"), c.get("config"), c.req.valid("param").set);
    return c.json({ fences }, 200, noStore);
  })
  .openapi(putFenceRoute, async (c) => {
    const { set, fence: id } = c.req.valid("param");
    const input = { set, id, fence: c.req.valid("json"), now: c.get("clock").now() };
    const { created, fence } = await putFence(c.get("redis"), c.get("config"), input);
    return created ? c.json(fence, 201) : c.json(fence, 200);
  })
  .openapi(getFenceRoute, async (c) => {
    const { set, fence: id } = c.req.valid("param");
    return c.json(await getFence(c.get("redis"), c.get("config"), { set, id }), 200, noStore);
  })
  .openapi(deleteFenceRoute, async (c) => {
    const { set, fence: id } = c.req.valid("param");
    await deleteFence(c.get("redis"), c.get("config"), { set, id });
    return c.body(null, 204);
  })
  .openapi(putSetRoute, async (c) => {
    const { set } = c.req.valid("param");
    const now = c.get("clock").now();
    await putSettings(c.get("redis"), c.get("config"), { set, settings: c.req.valid("json"), now });
    return c.json(await readSet(c.get("redis"), c.get("config"), { set, now }), 200);
  })
  .openapi(getSetRoute, async (c) => {
    const { set } = c.req.valid("param");
    return c.json(await readSet(c.get("redis"), c.get("config"), { set, now: c.get("clock").now() }), 200, noStore);
  })
  .openapi(deleteSetRoute, async (c) => {
    await deleteSet(c.get("redis"), c.get("config"), c.req.valid("param").set);
    return c.body(null, 204);
  })
  .openapi(putPlaceRoute, async (c) => {
    const { set, id } = c.req.valid("param");
    const limit = await c.get("rateLimit").forScript(); // the check runs inside upsert-places.lua
    const input = { id, ...c.req.valid("json") };
    const result = await upsertPlaces(c.get("redis"), c.get("config"), set, [input], c.get("clock").now(), limit);
    const { place, events } = result.places[0] as (typeof result.places)[number];
    return c.json({ place, events, pruned: result.pruned }, result.created > 0 ? 201 : 200);
  })
  .openapi(getPlaceRoute, async (c) => {
    const { set, id } = c.req.valid("param");
    return c.json(
      await getPlace(c.get("redis"), c.get("config"), { set, id, now: c.get("clock").now() }),
      200,
      noStore,
    );
  })
  .openapi(deletePlaceRoute, async (c) => {
    const { set, id } = c.req.valid("param");
    await deletePlace(c.get("redis"), c.get("config"), { set, id, now: c.get("clock").now() });
    return c.body(null, 204);
  });

const cfOf = (request: Request) => (request as { cf?: CfLocation }).cf;
