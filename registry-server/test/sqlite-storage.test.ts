import { join } from "node:path";
import { openSqliteStorage } from "@buntime/registry-server";
import { tempDir } from "./helpers/registry.ts";
import { storageContract } from "./helpers/storage-contract.ts";

storageContract("SQLite + filesystem", async () => openSqliteStorage(join(tempDir(), "store")));
