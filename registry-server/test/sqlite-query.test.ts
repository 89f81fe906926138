import { join } from "node:path";
import { openSqliteStorage } from "@buntime/registry-server";
import { queryContract } from "./helpers/query-contract.ts";
import { tempDir } from "./helpers/registry.ts";

const dir = tempDir();
queryContract("SQLite", async () => openSqliteStorage(join(dir, "query")));
