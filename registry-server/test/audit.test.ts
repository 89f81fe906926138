import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { isBuntimeError } from "@buntime/sdk";
import { npmUser } from "./helpers/npm.ts";
import { call, signUp, startTestRegistry, tempDir } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const ADVISORY = {
  id: 4242,
  name: "leaky-lib",
  title: "Prototype pollution in leaky-lib",
  severity: "high",
  vulnerable_versions: "<1.2.0",
  url: "https://advisories.example.com/4242",
  cwe: ["CWE-1321"],
  cvss: { score: 7.5, vectorString: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N" },
};

const dir = tempDir();
const advisoriesFile = join(dir, "advisories.json");
writeFileSync(advisoriesFile, JSON.stringify({ advisories: [ADVISORY] }));
const clean = await startTestRegistry();
const listed = await startTestRegistry({ advisoriesFile });
for (const registry of [clean, listed]) {
  const token = await signUp(registry.base, "auditor");
  for (const version of ["1.0.0", "1.2.0"]) {
    const body = publishBody("leaky-lib", version, packageTgz("leaky-lib", version));
    expect((await call(registry.base, "PUT", "/leaky-lib", { token, body })).status).toBe(201);
  }
}

async function npmAudit(registry: { url: string; dir: string }, spec: string) {
  const user = npmUser(join(registry.dir, `npm-${spec}`), registry.url);
  const app = join(registry.dir, `app-${spec}`);
  const installed = await user.npm(["install", `leaky-lib@${spec}`, "--prefix", app]);
  expect(installed.code).toBe(0);
  return user.npm(["audit", "--json"], { cwd: app, env: { npm_config_audit: "true" } });
}

describe("npm audit", () => {
  it("passes on a clean project with the real npm audit (no advisory list)", async () => {
    const audit = await npmAudit(clean, "1.0.0");
    expect(JSON.parse(audit.stdout).metadata.vulnerabilities.total).toBe(0);
    expect(audit.code).toBe(0);
  }, 60_000);

  it("reports an advisory of the local list with the real npm audit, and not for a fixed version", async () => {
    const audit = await npmAudit(listed, "1.0.0");
    expect(audit.code).toBe(1);
    const report = JSON.parse(audit.stdout);
    expect(report.vulnerabilities["leaky-lib"]).toMatchObject({
      severity: "high",
      fixAvailable: true,
      via: [{ source: 4242, title: ADVISORY.title, url: ADVISORY.url, range: "<1.2.0", severity: "high" }],
    });
    const fixed = await npmAudit(listed, "1.2.0");
    expect(fixed.code).toBe(0);
  }, 60_000);

  it("answers the bulk endpoint gzipped or not, and npm 6's quick audit", async () => {
    const plain = await call(listed.base, "POST", "/-/npm/v1/security/advisories/bulk", {
      body: { "leaky-lib": ["1.1.0"], other: ["1.0.0"] },
    });
    const { name: _, ...served } = ADVISORY;
    expect(plain.body).toEqual({ "leaky-lib": [served] });
    const gzipped = await fetch(`${listed.base}/-/npm/v1/security/advisories/bulk`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify({ "leaky-lib": ["1.2.0"] })),
    });
    expect(await gzipped.json()).toEqual({});
    const quick = await call(listed.base, "POST", "/-/npm/v1/security/audits/quick", {
      body: {
        name: "app",
        version: "1.0.0",
        requires: { "leaky-lib": "^1.0.0" },
        dependencies: {
          "leaky-lib": { version: "1.0.0", dependencies: { inner: { version: "2.0.0", dev: true } } },
        },
      },
    });
    expect(quick.body.metadata).toEqual({
      vulnerabilities: { info: 0, low: 0, moderate: 0, high: 1, critical: 0 },
      dependencies: 1,
      devDependencies: 1,
      optionalDependencies: 0,
      totalDependencies: 2,
    });
    expect(quick.body.advisories["4242"].findings).toEqual([{ version: "1.0.0", paths: ["leaky-lib"] }]);
  });

  it("refuses a malformed audit body with a coded 400", async () => {
    const notJson = await fetch(`${clean.base}/-/npm/v1/security/advisories/bulk`, {
      method: "POST",
      body: "{",
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_REGISTRY_AUDIT_INVALID",
    );
    const badGzip = await fetch(`${clean.base}/-/npm/v1/security/advisories/bulk`, {
      method: "POST",
      headers: { "content-encoding": "gzip" },
      body: "not gzip",
    });
    expect(badGzip.status).toBe(400);
    const wrongShape = await call(clean.base, "POST", "/-/npm/v1/security/advisories/bulk", {
      body: { a: "1.0.0" },
    });
    expect(wrongShape.body.error.message).toBe(
      'invalid audit request: expected {"<package>": ["<version>", …]}',
    );
  });

  it("refuses to start on an advisory file it cannot read, naming the entry", async () => {
    const bad = join(dir, "bad-advisories.json");
    writeFileSync(
      bad,
      JSON.stringify({ advisories: [{ ...ADVISORY, severity: "urgent", vulnerable_versions: "soon" }] }),
    );
    const error = await startTestRegistry({ advisoriesFile: bad }).catch((e: unknown) => e);
    expect(isBuntimeError(error, "BUNTIME_ERR_REGISTRY_SETTINGS_INVALID")).toBe(true);
    expect((error as Error).message).toBe(
      `invalid registry settings: advisory file ${bad}: advisories[0].severity: Invalid option: expected one of "info"|"low"|"moderate"|"high"|"critical"; advisories[0].vulnerable_versions: expected a semver range`,
    );
  });
});
