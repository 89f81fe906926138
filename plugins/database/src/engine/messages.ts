/** What the plugin and a database process say to each other over IPC. */
import type { StreamRequest } from "../protocol.ts";
import type { Migration } from "./migrations.ts";

/** A request to the database process; `id` pairs it with its reply. */
export type EngineRequest = { readonly id: number } & (
  | {
      readonly kind: "open";
      readonly database: string;
      readonly path: string;
      readonly maxBytes: number;
      readonly migrations: readonly Migration[];
    }
  | { readonly kind: "pipeline"; readonly stream: string; readonly requests: readonly StreamRequest[] }
  | { readonly kind: "close"; readonly stream: string }
  | { readonly kind: "backup"; readonly to: string }
  | { readonly kind: "query"; readonly stream: string; readonly sql: string; readonly maxRows: number }
  | { readonly kind: "tables" }
);

/** The reply to request `id`: its value, or why it failed. */
export type EngineReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly message: string; readonly migration?: string };
    };
