/** Reads a distribution's JSON files (manifest, lock) with errors that name the file. */
import { existsSync, readFileSync } from "node:fs";
import { BuntimeError } from "@buntime/sdk";

/**
 * The parsed JSON at `path`. A missing file throws `BUNTIME_ERR_DISTRO_NOT_FOUND` naming `what`;
 * text that is not JSON throws `BUNTIME_ERR_CONFIG_INVALID` naming the file.
 */
export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new BuntimeError("BUNTIME_ERR_DISTRO_NOT_FOUND", { what, path });
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_CONFIG_INVALID",
      { source: path, details: "not valid JSON" },
      { cause: error },
    );
  }
}
