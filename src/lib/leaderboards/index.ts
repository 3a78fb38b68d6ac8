export { boardNotFound, loadBoard as getBoard } from "./board-store.ts";
export { deleteBoard } from "./delete-board.ts";
export { listBoards } from "./list-boards.ts";
export { namedPeriod, PERIOD_HINT, type Period, periodAt, periodId } from "./periods.ts";
export { putBoard } from "./put-board.ts";
export { type Around, type Page, type Ranks, type Row, readAround, readRanks, readTop } from "./read-board.ts";
export {
  type Board,
  type BoardInput,
  boardInputSchema,
  boardKeySchema,
  MAX_BOARDS,
  MAX_MEMBER,
  MAX_SCORE,
  memberSchema,
  RULES,
  scoreSchema,
  WINDOWS,
  type Window,
} from "./schema.ts";
export { type Submitted, type Submitter, submitScore, type WindowResult } from "./submit-score.ts";
