/**
 * The SQL console's API, admin only, at `<base>/api/console`: the databases, a database's tables
 * and columns, and one statement at a time run on a database as its app would run it (the same
 * guard, role, time limit and quota), its rows capped. The page in `ui/` is its client.
 *
 * | method and path                       | answers                                                        |
 * | ------------------------------------- | -------------------------------------------------------------- |
 * | `GET console/databases`               | `{ who, backend, maxRows, statementTimeout, databases }`       |
 * | `GET console/tables?database=<name>`  | `{ database, tables: [{ name, kind, columns }] }`              |
 * | `POST console/query` `{database,sql}` | `{ columns, rows, rowCount, truncated, affected, ms }`, or 400 |
 */
import {
  BuntimeError,
  ERROR_CODES,
  type ErrorCode,
  type RequestContext,
  type ServiceAccess,
} from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { type DatabaseEngine, StatementError } from "../engine.ts";
import { databaseDescriptions as describe, querySchema } from "../route-descriptions.ts";
import { jsonBody, requireAdmin } from "./access.ts";
import { knownDatabase } from "./names.ts";

type Env = { Bindings: RequestContext };

/** What the console's API needs. */
export interface ConsoleRoutesOptions {
  readonly databases: DatabaseEngine;
  readonly services: ServiceAccess;
  readonly backend: "sqlite" | "postgres";
  /** At most this many rows come back from one statement. */
  readonly maxRows: number;
  readonly statementTimeout: number;
}

/** A refusal the database gave a statement, as JSON the page shows (message, code, position). */
function statementFailure(database: string, error: StatementError, ms: number): Response {
  const { failure } = error;
  // the plugin's own refusals (the quota, the time limit, the guard) keep their code and status
  const own = failure.code in ERROR_CODES ? (failure.code as ErrorCode) : undefined;
  const code = own ?? "BUNTIME_ERR_DATABASE_STATEMENT_FAILED";
  const message = own
    ? failure.message
    : new BuntimeError(code, { database, details: failure.message }).message;
  const body = {
    error: { code, message, database, reason: failure.code, position: failure.position ?? null },
    ms,
  };
  return Response.json(body, { status: ERROR_CODES[code].status });
}

/** The console routes, to mount at `<base>/api`. */
export function createConsoleRoutes(options: ConsoleRoutesOptions): Hono<Env> {
  const { databases, services } = options;
  const routes = new Hono<Env>();

  routes.get("/console/databases", describe.databases, async (c) => {
    const who = requireAdmin(c, services, "use the SQL console");
    return c.json({
      who,
      backend: options.backend,
      maxRows: options.maxRows,
      statementTimeout: options.statementTimeout,
      databases: await databases.list(),
    });
  });

  routes.get("/console/tables", describe.tables, async (c) => {
    requireAdmin(c, services, "use the SQL console");
    const database = await knownDatabase(c.req.query("database") ?? "", databases, services);
    return c.json({ database, tables: await databases.tables(database) });
  });

  routes.post("/console/query", describe.query, async (c: Context<Env>) => {
    requireAdmin(c, services, "use the SQL console");
    const parsed = querySchema.safeParse(await jsonBody(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", {
        details: `${issue?.path.join(".") || "the body"}: ${issue?.message}`,
      });
    }
    const database = await knownDatabase(parsed.data.database, databases, services);
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    try {
      const result = await databases.query(database, parsed.data.sql, options.maxRows);
      return c.json({ database, ...result, rowCount: result.rows.length, ms: elapsed() });
    } catch (error) {
      if (error instanceof StatementError) return statementFailure(database, error, elapsed());
      throw error;
    }
  });

  return routes;
}
