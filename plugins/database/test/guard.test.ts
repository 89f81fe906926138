import { describe, expect, it } from "bun:test";
import { guardSql } from "../src/engine/guard.ts";

describe("the guard on an app's SQLite statements", () => {
  it.each([
    ["ATTACH DATABASE '/data/other.sqlite' AS other", "ATTACH reaches another database file"],
    ["select 1; attach 'x' as y", "ATTACH"],
    ["/* hidden */ DETACH other", "DETACH"],
    ["VACUUM INTO '/tmp/copy.sqlite'", "VACUUM INTO"],
    ["PRAGMA max_page_count = 999999999", "PRAGMA max_page_count"],
    ["PRAGMA journal_mode = OFF", "PRAGMA journal_mode"],
    ["pragma main.writable_schema=1", "PRAGMA writable_schema"],
    ["PRAGMA table_info = x", "PRAGMA table_info"],
    ["EXPLAIN ATTACH 'x' AS y", "ATTACH"],
  ])("refuses %s", (sql, named) => {
    expect(() => guardSql(sql)).toThrow(named);
  });

  it.each([
    "SELECT 'ATTACH DATABASE x AS y; PRAGMA journal_mode=off' AS text",
    "CREATE TABLE attach (pragma TEXT)",
    "INSERT INTO t VALUES ('a;b') -- ; ATTACH 'x' AS y",
    "PRAGMA foreign_keys = OFF; PRAGMA foreign_keys=ON",
    "PRAGMA table_info(notes)",
    "PRAGMA main.index_list(notes)",
    "PRAGMA user_version = 3",
    "VACUUM",
    "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); END",
  ])("lets through %s", (sql) => {
    expect(() => guardSql(sql)).not.toThrow();
  });
});
