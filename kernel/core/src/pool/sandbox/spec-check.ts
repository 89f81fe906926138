/**
 * Refuses a sandbox spec that would not run as asked: relative or missing host paths, variable
 * names that are not names, limits that are not positive numbers. Nothing starts for a refused spec.
 */
import { statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import type { SandboxSpec } from "./types.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Extra folders go under /apps only: nothing may be bound over what the sandbox relies on. */
const TARGET = /^\/apps\/[A-Za-z0-9@+_-][A-Za-z0-9@+._-]*$/;

function problems(spec: SandboxSpec): string[] {
  const found: string[] = [];
  for (const key of ["appDir", "dataDir", "runtimeDir"] as const) {
    if (typeof spec[key] !== "string" || !isAbsolute(spec[key])) {
      found.push(`${key} must be an absolute path`);
    }
  }
  // Checked here so the error names the field; bwrap would only print "Can't find source path".
  for (const key of ["appDir", "runtimeDir"] as const) {
    if (isAbsolute(spec[key]) && !statSync(spec[key], { throwIfNoEntry: false })?.isDirectory()) {
      found.push(`${key} ${spec[key]} is not a folder`);
    }
  }
  for (const folder of spec.folders ?? []) {
    if (!isAbsolute(folder.source) || !statSync(folder.source, { throwIfNoEntry: false })?.isDirectory()) {
      found.push(`folders: ${folder.source} is not a folder`);
    }
    if (!TARGET.test(folder.target)) found.push(`folders: target ${folder.target} must be /apps/<name>`);
  }
  if (spec.egressSocket !== undefined) {
    if (!isAbsolute(spec.egressSocket)) found.push("egressSocket must be an absolute path");
    else if (!statSync(spec.egressSocket, { throwIfNoEntry: false })?.isSocket()) {
      found.push(`egressSocket ${spec.egressSocket} is not a Unix socket`);
    }
  }
  if (spec.argv.length === 0 || spec.argv.some((arg) => typeof arg !== "string" || arg.includes("\0"))) {
    found.push("argv must be one or more strings without NUL");
  }
  for (const [name, value] of Object.entries(spec.env)) {
    if (!ENV_NAME.test(name)) found.push(`env name ${JSON.stringify(name)} is not [A-Za-z_][A-Za-z0-9_]*`);
    else if (typeof value !== "string" || value.includes("\0"))
      found.push(`env ${name} must be a string without NUL`);
  }
  const { memory, pids, cpu } = spec.limits;
  if (!Number.isSafeInteger(memory) || memory < 16 * 1024 * 1024)
    found.push("limits.memory must be an integer ≥ 16 MiB");
  if (!Number.isSafeInteger(pids) || pids < 1) found.push("limits.pids must be a positive integer");
  if (!Number.isFinite(cpu) || cpu < 0) found.push("limits.cpu must be a number ≥ 0");
  return found;
}

/** Throws BUNTIME_ERR_POOL_SANDBOX_SPEC_INVALID naming every problem of `spec`. */
export function checkSpec(spec: SandboxSpec): void {
  const found =
    typeof spec.name === "string" && spec.name !== "" ? problems(spec) : ["name must be a non-empty string"];
  if (found.length > 0) {
    throw new BuntimeError("BUNTIME_ERR_POOL_SANDBOX_SPEC_INVALID", {
      name: String(spec.name),
      details: found.join("; "),
    });
  }
}
