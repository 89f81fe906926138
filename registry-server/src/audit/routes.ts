import { gunzipSync } from "node:zlib";
import { BuntimeError } from "@buntime/sdk";
import type { Context } from "hono";
import { z } from "zod";
import { requireReader } from "../auth/identify.ts";
import type { RegistryApp, RegistryContext, RegistryEnv } from "../context.ts";
import { type Advisory, advisoriesFor } from "./advisories.ts";

const MAX_BODY = 16 * 1024 * 1024;
const MAX_PACKAGES = 100_000;

const bulkSchema = z.record(z.string().max(214), z.array(z.string().max(256)).max(1000));

interface QuickDependency {
  version?: unknown;
  dev?: unknown;
  dependencies?: unknown;
}

function invalid(details: string): never {
  throw new BuntimeError("BUNTIME_ERR_REGISTRY_AUDIT_INVALID", { details });
}

/** The JSON body npm sends, gzipped (`Content-Encoding: gzip`) or not, within a size cap. */
async function auditBody(c: Context): Promise<unknown> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length > MAX_BODY) invalid(`the body is over ${MAX_BODY} bytes`);
  let text: string;
  try {
    const gzipped = (c.req.header("content-encoding") ?? "").toLowerCase().includes("gzip");
    text = new TextDecoder().decode(gzipped ? gunzipSync(bytes, { maxOutputLength: 4 * MAX_BODY }) : bytes);
  } catch (error) {
    invalid(`the body does not decompress: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    invalid(`the body is not JSON: ${(error as Error).message}`);
  }
}

/** Every name@version of an npm 6 quick-audit tree (nested `dependencies`), iteratively and bounded. */
function flattenTree(root: unknown): { versions: Map<string, Set<string>>; dev: number; total: number } {
  const versions = new Map<string, Set<string>>();
  let dev = 0;
  let total = 0;
  const stack: unknown[] = [(root as QuickDependency | null)?.dependencies];
  while (stack.length > 0) {
    const deps = stack.pop();
    if (!deps || typeof deps !== "object") continue;
    for (const [name, dep] of Object.entries(deps as Record<string, QuickDependency>)) {
      if (++total > MAX_PACKAGES) invalid(`more than ${MAX_PACKAGES} dependencies`);
      if (dep?.dev === true) dev += 1;
      if (typeof dep?.version === "string")
        versions.set(name, (versions.get(name) ?? new Set()).add(dep.version));
      stack.push(dep?.dependencies);
    }
  }
  return { versions, dev, total };
}

function quickReport(found: [Advisory, string[]][], tree: ReturnType<typeof flattenTree>) {
  const vulnerabilities = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
  const advisories: Record<string, unknown> = {};
  for (const [advisory, versions] of found) {
    vulnerabilities[advisory.severity] += versions.length;
    advisories[advisory.id] = {
      ...advisory,
      module_name: advisory.name,
      overview: advisory.title,
      findings: versions.map((version) => ({ version, paths: [advisory.name] })),
    };
  }
  return {
    actions: [],
    advisories,
    muted: [],
    metadata: {
      vulnerabilities,
      dependencies: tree.total - tree.dev,
      devDependencies: tree.dev,
      optionalDependencies: 0,
      totalDependencies: tree.total,
    },
  };
}

/**
 * `npm audit`'s endpoints: the bulk advisory request of npm 7+ (`{name: [versions]}` in,
 * `{name: [advisories]}` out) and npm 6's quick audit. Answered from the configured advisory
 * list; with none, every audit is clean.
 */
export function auditRoutes(app: RegistryApp, ctx: RegistryContext): void {
  const list = ctx.options.advisories;
  app.post("/-/npm/v1/security/advisories/bulk", async (c: Context<RegistryEnv>) => {
    requireReader(ctx, c, "auditing packages");
    const parsed = bulkSchema.safeParse(await auditBody(c));
    if (!parsed.success) invalid('expected {"<package>": ["<version>", …]}');
    if (Object.keys(parsed.data).length > MAX_PACKAGES) invalid(`more than ${MAX_PACKAGES} packages`);
    const answer: Record<string, unknown[]> = {};
    for (const [name, versions] of Object.entries(parsed.data)) {
      const found = advisoriesFor(list, name, versions);
      if (found.length > 0) answer[name] = found.map(({ name: _, ...advisory }) => advisory);
    }
    return c.json(answer);
  });

  app.post("/-/npm/v1/security/audits/quick", async (c: Context<RegistryEnv>) => {
    requireReader(ctx, c, "auditing packages");
    const body = await auditBody(c);
    if (!body || typeof body !== "object") invalid("expected an npm audit tree");
    const tree = flattenTree(body);
    const found: [Advisory, string[]][] = [];
    for (const advisory of list) {
      const installed = [...(tree.versions.get(advisory.name) ?? [])];
      const hit = installed.filter(
        (version) => advisoriesFor([advisory], advisory.name, [version]).length > 0,
      );
      if (hit.length > 0) found.push([advisory, hit]);
    }
    return c.json(quickReport(found, tree));
  });
}
