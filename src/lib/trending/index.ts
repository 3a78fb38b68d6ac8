export { listNotFound } from "./decode.ts";
export { deleteList } from "./delete-list.ts";
export { listLists } from "./list-lists.ts";
export { putList } from "./put-list.ts";
export { readTrending, type Trending } from "./read-trending.ts";
export { type Hit, recordHit } from "./record-hit.ts";
export {
  hitInputSchema,
  itemSchema,
  type ListInput,
  listInputSchema,
  listKeySchema,
  MAX_LISTS,
  MIN_HEAT,
  type TrendingList,
} from "./schema.ts";
export { undoHit } from "./undo-hit.ts";
