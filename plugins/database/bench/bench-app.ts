/** The bench's app: runs `n` point selects and `n` inserts through @libsql/client and times them. */
import { timedRuns } from "@buntime/test-kit/apps";
import { createClient } from "@libsql/client/web";

const db = createClient({
  url: process.env.BUNTIME_DATABASE_URL ?? "",
  authToken: process.env.BUNTIME_DATABASE_TOKEN,
});

export default {
  async fetch(request: Request): Promise<Response> {
    const query = new URL(request.url).searchParams;
    const n = Number(query.get("n") ?? "1000");
    const id = query.get("backend") === "postgres" ? "bigserial" : "INTEGER";
    await db.execute(`CREATE TABLE IF NOT EXISTS items (id ${id} PRIMARY KEY, name TEXT NOT NULL)`);
    const insert = await timedRuns(n, (i) =>
      db.execute({ sql: "INSERT INTO items (name) VALUES (?)", args: [`item ${i}`] }),
    );
    const select = await timedRuns(n, (i) =>
      db.execute({ sql: "SELECT name FROM items WHERE id = ?", args: [(i % n) + 1] }),
    );
    return Response.json({ insert, select });
  },
};
