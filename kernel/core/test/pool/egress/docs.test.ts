import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { raw, startTestProxy } from "./support.ts";

const PAGE = readFileSync(
  join(import.meta.dir, "..", "..", "..", "..", "..", "docs", "permissions.md"),
  "utf8",
);
const section = PAGE.slice(PAGE.indexOf("## network"));
const declared = (
  JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "{}") as {
    permissions: { network: string[] };
  }
).permissions.network;
const rows = [...section.matchAll(/^\| `(https?:\/\/[^`]+)`\s*\| (allowed|`(BUNTIME_ERR_\w+)`)\s*\|$/gm)].map(
  (match) => [match[1] as string, match[3] ?? "allowed"] as const,
);

/** The request a proxied client sends for `url`: CONNECT for https, an absolute URI for http. */
function proxyRequest(url: URL): string {
  if (url.protocol === "http:") return `GET ${url.href} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`;
  return `CONNECT ${url.hostname}:${url.port || 443} HTTP/1.1\r\n\r\n`;
}

describe("docs/permissions.md, network section", () => {
  it("has the example rules and a table of outcomes to check", () => {
    expect(declared.length).toBeGreaterThan(3);
    expect(rows.length).toBeGreaterThan(8);
  });

  it.each(rows)("%s: %s, as the table says", async (href, outcome) => {
    // No name resolves, so an allowed name ends at 502 ENOTFOUND, after the policy let it
    // pass; an allowed IP is logged as allowed before the proxy tries it (documentation
    // addresses, nothing answers there). A refused request never gets that far.
    const { socketPath, logs } = await startTestProxy(
      { hosts: declared },
      {
        lookup: () => Promise.reject(Object.assign(new Error("no DNS in this test"), { code: "ENOTFOUND" })),
        connectTimeoutMs: 200,
      },
    );
    const answer = await raw(socketPath, proxyRequest(new URL(href)), 400);
    const code = /BUNTIME_ERR_POOL_EGRESS_\w+/.exec(answer)?.[0];
    if (outcome === "allowed") {
      expect([href, code === undefined || code === "BUNTIME_ERR_POOL_EGRESS_UNREACHABLE"]).toEqual([
        href,
        true,
      ]);
      expect([
        href,
        logs.some((line) => /^(debug egress allowed|warn egress target unreachable)/.test(line)),
      ]).toEqual([href, true]);
    } else {
      expect([href, code]).toEqual([href, outcome]);
    }
  });

  it("shows the refusal message the proxy really sends", async () => {
    const { socketPath } = await startTestProxy({ hosts: declared });
    const answer = await raw(socketPath, "CONNECT evil.example:443 HTTP/1.1\r\n\r\n");
    const header = /X-Buntime-Error: BUNTIME_ERR_POOL_EGRESS_DENIED: (.*)\r\n/.exec(answer)?.[1];
    expect(header).toBeDefined();
    expect(section).toContain(`EgressRefusedError: ${header}`);
  });
});
