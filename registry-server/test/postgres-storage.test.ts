import { openPostgresStorage } from "@buntime/registry-server";
import { startTestPostgres } from "./helpers/postgres-server.ts";
import { storageContract } from "./helpers/storage-contract.ts";

// The server is required, not optional: without PostgreSQL binaries this file fails.
const postgres = await startTestPostgres();

storageContract("PostgreSQL", () => openPostgresStorage(postgres.url));
