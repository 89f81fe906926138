/** A batch step's condition, evaluated on the outcomes of the steps before it (both engines share it). */
import type { BatchCond } from "../protocol.ts";

/** True when `cond` holds, given which steps succeeded (`ok[i]`) or failed (`failed[i]`). */
export function holds(
  cond: BatchCond,
  ok: readonly boolean[],
  failed: readonly boolean[],
  isAutocommit: () => boolean,
): boolean {
  switch (cond.type) {
    case "ok":
      return ok[cond.step] === true;
    case "error":
      return failed[cond.step] === true;
    case "not":
      return !holds(cond.cond, ok, failed, isAutocommit);
    case "and":
      return cond.conds.every((c) => holds(c, ok, failed, isAutocommit));
    case "or":
      return cond.conds.some((c) => holds(c, ok, failed, isAutocommit));
    case "is_autocommit":
      return isAutocommit();
  }
}
