/**
 * The libSQL remote protocol (Hrana 2 over HTTP, JSON encoding) as this plugin reads it: the body
 * of `POST <database>/v2/pipeline`, validated before anything runs, and the shapes it answers with.
 * See https://github.com/tursodatabase/libsql/blob/main/docs/HRANA_3_SPEC.md (version 2 is its subset).
 */
import { z } from "zod";

const sqlId = z.number().int().min(0).max(2_147_483_647);

/** A value as Hrana carries it: integers as decimal strings (64-bit), blobs as base64. */
export const hranaValueSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("null") }),
  z.object({
    type: z.literal("integer"),
    value: z.string().regex(/^-?\d{1,19}$/, "a 64-bit integer in decimal"),
  }),
  z.object({ type: z.literal("float"), value: z.number() }),
  z.object({ type: z.literal("text"), value: z.string() }),
  z.object({ type: z.literal("blob"), base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64") }),
]);
export type HranaValue = z.infer<typeof hranaValueSchema>;

/** One statement: its SQL (or a stored SQL's id) and its arguments. */
export const stmtSchema = z
  .object({
    sql: z.string().optional(),
    sql_id: sqlId.optional(),
    args: z.array(hranaValueSchema).max(32_766).default([]),
    named_args: z
      .array(z.object({ name: z.string().min(1), value: hranaValueSchema }))
      .max(32_766)
      .default([]),
    want_rows: z.boolean().default(true),
  })
  .refine(
    (stmt) => (stmt.sql === undefined) !== (stmt.sql_id === undefined),
    "give exactly one of sql and sql_id",
  );
export type Stmt = z.infer<typeof stmtSchema>;

/** The condition a batch step runs under. */
export type BatchCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: BatchCond }
  | { type: "and" | "or"; conds: BatchCond[] }
  | { type: "is_autocommit" };

const batchCondSchema: z.ZodType<BatchCond> = z.lazy(() =>
  z.discriminatedUnion("type", [
    z.object({ type: z.enum(["ok", "error"]), step: z.number().int().min(0) }),
    z.object({ type: z.literal("not"), cond: batchCondSchema }),
    z.object({ type: z.enum(["and", "or"]), conds: z.array(batchCondSchema).max(1000) }),
    z.object({ type: z.literal("is_autocommit") }),
  ]),
);

/** A batch: steps run in order, each under its optional condition on earlier steps. */
export const batchSchema = z.object({
  steps: z.array(z.object({ condition: batchCondSchema.nullish(), stmt: stmtSchema })).max(1000),
});

const sqlOrId = z
  .object({ sql: z.string().optional(), sql_id: sqlId.optional() })
  .refine(
    (req) => (req.sql === undefined) !== (req.sql_id === undefined),
    "give exactly one of sql and sql_id",
  );

/** One request of a pipeline. */
export const streamRequestSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("close") }),
  z.object({ type: z.literal("execute"), stmt: stmtSchema }),
  z.object({ type: z.literal("batch"), batch: batchSchema }),
  z.object({ type: z.literal("sequence"), ...sqlOrId.shape }),
  z.object({ type: z.literal("describe"), ...sqlOrId.shape }),
  z.object({ type: z.literal("store_sql"), sql_id: sqlId, sql: z.string() }),
  z.object({ type: z.literal("close_sql"), sql_id: sqlId }),
  z.object({ type: z.literal("get_autocommit") }),
]);
export type StreamRequest = z.infer<typeof streamRequestSchema>;

/** The body of `POST v2/pipeline`. */
export const pipelineRequestSchema = z.object({
  baton: z.string().nullish(),
  requests: z.array(streamRequestSchema).max(1000),
});
export type PipelineRequest = z.infer<typeof pipelineRequestSchema>;

/** An error as Hrana reports it, inside a result or as an HTTP error body. */
export interface HranaError {
  readonly message: string;
  readonly code?: string;
}

/** One request's outcome: its response, or its error. */
export type StreamResult =
  | { readonly type: "ok"; readonly response: { readonly type: string } & Record<string, unknown> }
  | { readonly type: "error"; readonly error: HranaError };
