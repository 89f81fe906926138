import type { z } from "zod";

/** Turns a zod path such as `["dependencies", "auth"]` into `dependencies.auth`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Renders zod issues as one readable line per problem, each naming the field (under
 * `prefix`) and what was expected, e.g. `buntime.kernel: expected a semver range, got "x"`.
 */
export function formatZodIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((issue) => {
      const field = [prefix, formatPath(issue.path)].filter(Boolean).join(".") || "(root)";
      return `${field}: ${issue.message}`;
    })
    .join("; ");
}
