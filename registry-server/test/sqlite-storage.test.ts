import { join } from "node:path";
import { openSqliteStorage } from "@buntime/registry-server";
import { tempDir } from "./helpers/registry.ts";
import { storageContract } from "./helpers/storage-contract.ts";

// made here, not in the contract's beforeAll, so that it lasts until the file ends
const dir = tempDir();
storageContract("SQLite + filesystem", async () => openSqliteStorage(join(dir, "store")));
