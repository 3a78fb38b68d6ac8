/** Places: nearest to the visitor, live positions that expire, geofences with enter/leave events. */
export { deleteFence } from "./delete-fence.ts";
export { deletePlace } from "./delete-place.ts";
export type { Fence } from "./fence.ts";
export { haversineMeters, initialBearing, type LatLon, MAX_LATITUDE, UNITS, type Unit } from "./geo.ts";
export { getPlace } from "./get-place.ts";
export { getFence, listFences } from "./list-fences.ts";
export { listPlaces } from "./list-places.ts";
export { findNearby, type NearbyPlace, type SearchArea } from "./nearby.ts";
export { type CfLocation, type SearchCentre, searchCentre } from "./origin.ts";
export { MAX_POLYGON_POINTS, polygonProblem } from "./polygon.ts";
export { putFence } from "./put-fence.ts";
export type { Place } from "./record.ts";
export * from "./schema.ts";
export { searchArea } from "./search-area.ts";
export { deleteSet, listSets, putSettings, readSet, type SetInfo } from "./settings.ts";
export { EVENTS_KEPT, type FenceEvent, PRUNE_BATCH, type UpsertResult, upsertPlaces } from "./upsert-places.ts";
