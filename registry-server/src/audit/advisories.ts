import { readFileSync } from "node:fs";
import { BuntimeError } from "@buntime/sdk";
import semver from "semver";
import { z } from "zod";

/** One security advisory, in the shape npm's bulk advisory endpoint answers. */
export const advisorySchema = z
  .object({
    id: z.int().positive(),
    name: z.string().min(1).max(214),
    title: z.string().min(1),
    severity: z.enum(["info", "low", "moderate", "high", "critical"]),
    vulnerable_versions: z
      .string()
      .refine((range) => semver.validRange(range) !== null, { error: "expected a semver range" }),
    url: z.url().optional(),
    cwe: z.array(z.string()).optional(),
    cvss: z
      .object({ score: z.number().min(0).max(10), vectorString: z.string().nullable() })
      .strict()
      .optional(),
  })
  .strict();

/** An advisory file: `{ "advisories": [ … ] }`. */
export const advisoryFileSchema = z
  .object({ $schema: z.string().optional(), advisories: z.array(advisorySchema) })
  .strict();

/** One security advisory. */
export type Advisory = z.infer<typeof advisorySchema>;

/**
 * Reads and checks an advisory file; anything wrong is `BUNTIME_ERR_REGISTRY_SETTINGS_INVALID`
 * naming the file and the bad entry, so a registry never starts on a list it misreads.
 */
export function readAdvisoryFile(file: string): Advisory[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SETTINGS_INVALID", {
      details: `advisory file ${file}: ${reason}`,
    });
  }
  const parsed = advisoryFileSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map(
        (issue) =>
          `${issue.path
            .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
            .join("")
            .slice(1)}: ${issue.message}`,
      )
      .join("; ");
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SETTINGS_INVALID", {
      details: `advisory file ${file}: ${details}`,
    });
  }
  return parsed.data.advisories;
}

/** The advisories of `name` that any of `versions` falls in. */
export function advisoriesFor(advisories: Advisory[], name: string, versions: string[]): Advisory[] {
  return advisories.filter(
    (advisory) =>
      advisory.name === name &&
      versions.some(
        (version) => semver.valid(version) && semver.satisfies(version, advisory.vulnerable_versions),
      ),
  );
}
