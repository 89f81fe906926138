/**
 * The database process: one per app database, spawned by the plugin and spoken to over IPC. It
 * owns every SQLite connection to its file, so the plugin can end a statement that runs past its
 * time limit by killing the process (SQLite's journal then undoes the unfinished transaction).
 */
import { BuntimeError } from "@buntime/sdk";
import type { HranaError } from "../protocol.ts";
import type { EngineReply, EngineRequest } from "./messages.ts";
import { migrate } from "./migrations.ts";
import { type ConnectionOptions, openConnection, Session } from "./session.ts";

const streams = new Map<string, Session>();
/** Connections of closed streams, kept for the next ones: opening one costs more than a query. */
const idle: Session[] = [];
const MAX_IDLE = 4;
let options: ConnectionOptions | undefined;

/** Names a SQLite failure for the client: a full database is over its quota. */
function explainFor(database: string, maxBytes: number) {
  return (error: unknown): HranaError => {
    const code = (error as { code?: unknown }).code;
    if (code === "SQLITE_FULL") {
      const quota = new BuntimeError("BUNTIME_ERR_DATABASE_QUOTA_EXCEEDED", { database, limit: maxBytes });
      return { message: quota.message, code: quota.code };
    }
    return {
      message: error instanceof Error ? error.message : String(error),
      code: typeof code === "string" ? code : "SQLITE_ERROR",
    };
  };
}

function sessionOf(stream: string): Session {
  if (!options) throw new Error("the database process has not been opened");
  let session = streams.get(stream);
  if (!session) {
    session = idle.pop() ?? new Session(options);
    streams.set(stream, session);
  }
  return session;
}

/** Ends a stream: an open transaction is rolled back; the connection is kept for reuse. */
function end(stream: string): void {
  const session = streams.get(stream);
  if (!session) return;
  streams.delete(stream);
  if (session.inTransaction || idle.length >= MAX_IDLE) {
    session.close();
    return;
  }
  session.reset();
  idle.push(session);
}

function run(request: EngineRequest): unknown {
  switch (request.kind) {
    case "open": {
      options = {
        path: request.path,
        maxBytes: request.maxBytes,
        explain: explainFor(request.database, request.maxBytes),
      };
      const db = openConnection(options);
      try {
        return { applied: migrate(db, request.migrations) };
      } finally {
        db.close(false);
      }
    }
    case "pipeline": {
      const session = sessionOf(request.stream);
      const results = request.requests.map((req) => session.handle(req));
      const closed = request.requests.some((req) => req.type === "close");
      if (closed) end(request.stream);
      return { results, closed, inTransaction: !closed && session.inTransaction };
    }
    case "close":
      end(request.stream);
      return {};
    case "query": {
      const outcome = sessionOf(request.stream).query(request.sql, request.maxRows);
      end(request.stream);
      return outcome;
    }
    case "tables": {
      const session = sessionOf("tables");
      try {
        return session.tables();
      } finally {
        end("tables");
      }
    }
    case "backup": {
      if (!options) throw new Error("the database process has not been opened");
      const db = openConnection(options);
      try {
        db.run("VACUUM INTO ?", [request.to]);
        return {};
      } finally {
        db.close(false);
      }
    }
  }
}

process.on("message", (request: EngineRequest) => {
  let reply: EngineReply;
  try {
    reply = { id: request.id, ok: true, value: run(request) };
  } catch (error) {
    const failure = error as { message?: string; migration?: string };
    reply = {
      id: request.id,
      ok: false,
      error: { message: failure.message ?? String(error), migration: failure.migration },
    };
  }
  process.send?.(reply);
});
// the plugin's end closes the channel: nothing is left to serve
process.on("disconnect", () => process.exit(0));
