/**
 * Atomic `sum`, `min` and `max`: each reads the key's current number, combines it, and writes it
 * back on condition that nobody wrote the key since (an implicit version check). When another
 * writer wins that race the batch is planned again on fresh values, a bounded number of times, so
 * no update is ever lost on any backend and across kernels.
 */
import type { BatchOperation, CommitResult, KvEntry } from "@buntime/sdk";
import { BuntimeError } from "@buntime/sdk";

/** The operations that combine a number with the current one. */
export type NumberOperation = Extract<BatchOperation, { type: "sum" | "min" | "max" }>;

/** How often a batch is planned again when another writer changed a key it combines. */
export const MAX_ATOMIC_RETRIES = 64;

/** True for `sum`, `min` and `max`. */
export function isNumberOperation(operation: BatchOperation): operation is NumberOperation {
  return operation?.type === "sum" || operation?.type === "min" || operation?.type === "max";
}

function invalid(details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", { details });
}

function combine(operation: NumberOperation, current: number): number {
  if (operation.type === "sum") return current + operation.value;
  return operation.type === "min" ? Math.min(current, operation.value) : Math.max(current, operation.value);
}

/**
 * The batch with its number operations turned into plain writes over `current` (the entries of
 * their keys as just read) and the version checks that keep those reads true; `implicit` names
 * the keys checked only for that.
 */
export function resolveNumbers(
  operations: readonly BatchOperation[],
  current: ReadonlyMap<string, KvEntry | null>,
): { operations: BatchOperation[]; implicit: Set<string> } {
  const explicit = new Set(
    operations
      .filter((op) => op?.type === "check" || ("version" in op && op.version !== undefined))
      .map((op) => op.key),
  );
  const values = new Map<string, number>();
  const resolved: BatchOperation[] = [];
  const implicit = new Set<string>();
  for (const [index, operation] of operations.entries()) {
    if (!isNumberOperation(operation)) {
      resolved.push(operation);
      continue;
    }
    if (typeof operation.value !== "number" || !Number.isFinite(operation.value)) {
      throw invalid(`operation ${index}: ${operation.type} needs a finite number as value`);
    }
    const entry = current.get(operation.key) ?? null;
    const before = values.has(operation.key) ? values.get(operation.key) : entry?.value;
    if (before !== undefined && before !== null && typeof before !== "number") {
      throw invalid(
        `operation ${index}: ${operation.key} holds ${typeof before}, not a number, so ${operation.type} cannot combine it`,
      );
    }
    const after = before === undefined || before === null ? operation.value : combine(operation, before);
    values.set(operation.key, after);
    if (!explicit.has(operation.key) && !implicit.has(operation.key)) {
      implicit.add(operation.key);
      resolved.push({ type: "check", key: operation.key, version: entry?.version ?? null });
    }
    resolved.push({ type: "set", key: operation.key, value: after });
  }
  return { operations: resolved, implicit };
}

/**
 * Runs `operations` with their number operations resolved: `read` gets the current entries,
 * `commit` applies a plain batch. Retries while only an implicit check failed.
 */
export async function commitWithNumbers(
  operations: readonly BatchOperation[],
  read: (keys: string[]) => Promise<(KvEntry | null)[]>,
  commit: (operations: readonly BatchOperation[]) => Promise<CommitResult>,
): Promise<CommitResult> {
  const keys = [...new Set(operations.filter(isNumberOperation).map((op) => op.key))];
  for (let attempt = 0; attempt < MAX_ATOMIC_RETRIES; attempt++) {
    const entries = await read(keys);
    const current = new Map(keys.map((key, i) => [key, entries[i] ?? null]));
    const plan = resolveNumbers(operations, current);
    const result = await commit(plan.operations);
    if (result.ok || !plan.implicit.has(result.key)) return result;
  }
  return { ok: false, key: keys[0] ?? "" };
}
