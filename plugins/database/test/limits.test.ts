import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import type { TestKernel } from "@buntime/kernel/testing";
import type { Client } from "@libsql/client/web";
import { clientOf, envOf, failureOf, startKernel, tempHome, writeApp } from "./support.ts";

const FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

describe("refused requests change nothing", () => {
  let kernel: TestKernel;
  let alpha: Client;
  const home = tempHome();
  const count = async () => Number((await alpha.execute("SELECT count(*) AS n FROM t")).rows[0]?.n);
  const pipeline = async (app: string, body: string, token?: string) => {
    const env = await envOf(kernel, app);
    return fetch(new URL("v2/pipeline", env.url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token ?? env.token}` },
      body,
    });
  };

  beforeAll(async () => {
    writeApp(home, "alpha");
    writeApp(home, "beta");
    kernel = await startKernel(home, {
      statementTimeout: 1500,
      streamTimeout: 1000,
      maxDatabaseBytes: 131_072,
    });
    alpha = await clientOf(kernel, "alpha");
    await alpha.execute("CREATE TABLE t (x)");
    await alpha.execute("INSERT INTO t VALUES (1)");
  });
  afterAll(async () => {
    await kernel.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("refuses a request without a token (401) and another app's token (403)", async () => {
    const body = JSON.stringify({ requests: [{ type: "execute", stmt: { sql: "DELETE FROM t" } }] });
    const anonymous = await pipeline("alpha", body, "");
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe("BUNTIME_ERR_DATABASE_APP_UNAUTHORIZED");
    const beta = await envOf(kernel, "beta");
    const forbidden = await pipeline("alpha", body, beta.token);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { message: string }).message).toBe(
      "app beta may not use database alpha: an app reaches only its own",
    );
    expect(await count()).toBe(1);
  });

  it("refuses malformed protocol messages with 400, naming what is wrong", async () => {
    const cases: [string, string][] = [
      ["{", "the body is not JSON"],
      [JSON.stringify({ requests: [{ type: "execute", stmt: { args: [] } }] }), "requests.0.stmt"],
      [JSON.stringify({ requests: [{ type: "drop_everything" }] }), "requests.0.type"],
      [
        JSON.stringify({
          requests: [
            { type: "execute", stmt: { sql: "DELETE FROM t", args: [{ type: "integer", value: "1e3" }] } },
          ],
        }),
        "requests.0.stmt.args.0.value",
      ],
      [JSON.stringify({ requests: "DELETE FROM t" }), "requests"],
    ];
    for (const [body, named] of cases) {
      const response = await pipeline("alpha", body);
      expect(response.status).toBe(400);
      const error = (await response.json()) as { code: string; message: string };
      expect(error.code).toBe("BUNTIME_ERR_DATABASE_REQUEST_INVALID");
      expect(error.message).toContain(named);
    }
    expect(await count()).toBe(1);
  });

  it("does not let an app use another app's baton", async () => {
    const opened = await pipeline(
      "alpha",
      JSON.stringify({ requests: [{ type: "execute", stmt: { sql: "BEGIN" } }] }),
    );
    const { baton } = (await opened.json()) as { baton: string };
    expect(baton).toBeString();
    const beta = await envOf(kernel, "beta");
    const stolen = await fetch(new URL("v2/pipeline", beta.url), {
      method: "POST",
      headers: { authorization: `Bearer ${beta.token}` },
      body: JSON.stringify({ baton, requests: [{ type: "execute", stmt: { sql: "SELECT 1" } }] }),
    });
    expect(((await stolen.json()) as { code: string }).code).toBe("BUNTIME_ERR_DATABASE_STREAM_EXPIRED");
    await pipeline("alpha", JSON.stringify({ baton, requests: [{ type: "close" }] }));
  });

  it("stops a statement past the time limit, undoes its transaction and serves the next request", async () => {
    const started = Date.now();
    const slow = await failureOf(alpha.execute(FOREVER));
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(slow.message).toContain("ran past its 1500 ms limit and was stopped");
    const tx = await alpha.transaction("write");
    await tx.execute("INSERT INTO t VALUES (2)");
    await failureOf(tx.execute(FOREVER));
    tx.close();
    // a statement that writes 200 rows, then computes forever: killed half-way, none of it stays
    const write = await failureOf(
      alpha.execute(
        "INSERT INTO t SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200) SELECT x FROM c)" +
          ` UNION ALL SELECT * FROM (${FOREVER})`,
      ),
    );
    expect(write.message).toContain("1500 ms limit");
    expect(await count()).toBe(1);
  }, 20_000);

  it("refuses a write past the size quota and keeps the database usable", async () => {
    const full = await failureOf(alpha.execute("INSERT INTO t VALUES (zeroblob(200000))"));
    expect(full.message).toContain("database alpha would grow past its 131072-byte quota");
    expect(full.code).toBe("BUNTIME_ERR_DATABASE_QUOTA_EXCEEDED");
    expect(await count()).toBe(1);
    await alpha.execute("INSERT INTO t VALUES (3)");
    expect(await count()).toBe(2);
    await alpha.execute("DELETE FROM t WHERE x = 3");
  });

  it("rolls back an interactive transaction left idle past the stream timeout", async () => {
    const tx = await alpha.transaction("write");
    await tx.execute("INSERT INTO t VALUES (4)");
    await Bun.sleep(1600);
    const expired = await failureOf(tx.execute("SELECT 1"));
    expect(expired.message).toContain("closed or expired");
    tx.close();
    expect(await count()).toBe(1);
  });

  it("makes other requests wait for an open transaction rather than fail", async () => {
    const tx = await alpha.transaction("write");
    await tx.execute("INSERT INTO t VALUES (5)");
    let waited = false;
    const other = alpha.execute("INSERT INTO t VALUES (6)").then((result) => {
      waited = true;
      return result;
    });
    await Bun.sleep(200);
    expect(waited).toBe(false);
    await tx.commit();
    expect((await other).rowsAffected).toBe(1);
    expect(await count()).toBe(3);
    await alpha.execute("DELETE FROM t WHERE x IN (5, 6)");
  });

  it("refuses SQL that would reach another file or lift the quota, and lets an ORM's PRAGMAs through", async () => {
    const attach = await failureOf(alpha.execute("ATTACH DATABASE 'beta.sqlite' AS beta"));
    expect(attach.message).toContain(
      "invalid database request: refused: ATTACH reaches another database file",
    );
    expect(attach.code).toBe("BUNTIME_ERR_DATABASE_REQUEST_INVALID");
    expect((await failureOf(alpha.execute("PRAGMA max_page_count = 100000000"))).message).toContain(
      "max_page_count",
    );
    expect(
      (await failureOf(alpha.executeMultiple("SELECT 1; VACUUM INTO '/tmp/x.sqlite'"))).message,
    ).toContain("VACUUM INTO");
    await alpha.execute("PRAGMA foreign_keys = OFF");
    expect((await alpha.execute("PRAGMA table_info(t)")).rows.map((r) => r.name)).toEqual(["x"]);
  });
});
