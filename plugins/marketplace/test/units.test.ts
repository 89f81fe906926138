import { describe, expect, it } from "bun:test";
import { cliFailure } from "../src/cli-runner.ts";
import {
  describePermissions,
  permissionCount,
  permissionsOf,
  widenedPermissions,
} from "../src/permissions.ts";
import { README_LIMIT, renderReadme } from "../src/readme.ts";
import type { PluginDetail } from "../src/registry.ts";
import { trustEvidence } from "../src/trust.ts";

describe("renderReadme", () => {
  const hostile: [string, string][] = [
    ["a script tag", "<script>alert(1)</script>"],
    ["an event handler", '<img src=x onerror="alert(1)">'],
    ["an svg with onload", "<svg onload=alert(1)></svg>"],
    ["an html link", '<a href="javascript:alert(1)">x</a>'],
    ["a markdown link", "[x](javascript:alert(1))"],
    ["a mixed-case scheme", "[x](JaVaScRiPt:alert(1))"],
    ["an encoded scheme", "[x](javascript&#58;alert(1))"],
    ["a tab inside the scheme", "[x](java\tscript:alert(1))"],
    ["an entity-encoded scheme", "[x](&#106;avascript:alert(1))"],
    ["a reference link", "[x][r]\n\n[r]: javascript:alert(1)"],
    ["an autolink", "<javascript:alert(1)>"],
    ["a data: html link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["a vbscript link", "[x](vbscript:msgbox(1))"],
    ["an image with javascript", "![x](javascript:alert(1))"],
    ["an iframe", '<iframe src="https://evil.test"></iframe>'],
    ["a style tag", "<style>body{display:none}</style>"],
    ["a form", '<form action="https://evil.test"><button>go</button></form>'],
  ];
  for (const [what, markdown] of hostile) {
    it(`keeps ${what} from running`, () => {
      const out = renderReadme(markdown);
      expect(out).not.toMatch(/<(script|svg|iframe|style|form|img[^>]*onerror)/i);
      expect(out).not.toMatch(/(href|src)="\s*(javascript|vbscript|data:text)/i);
    });
  }

  it("keeps ordinary markdown, and opens outside links in a new tab without an opener", () => {
    const out = renderReadme(
      "# Title\n\n**b** `c` [docs](https://example.com) [local](#usage)\n\n```\ncode <b>\n```",
    );
    expect(out).toContain("<h1>Title</h1>");
    expect(out).toContain("<strong>b</strong>");
    expect(out).toContain(
      '<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">docs</a>',
    );
    expect(out).toContain('<a href="#usage">local</a>');
    expect(out).toContain("code &lt;b&gt;");
  });

  it("says when there is no readme, and cuts a huge one", () => {
    expect(renderReadme(null)).toContain("no readme");
    expect(renderReadme("   ")).toContain("no readme");
    expect(renderReadme("a".repeat(README_LIMIT + 10))).toContain(`cut at ${README_LIMIT}`);
  });
});

describe("permissions", () => {
  it("reads a manifest, counting malformed fields as nothing", () => {
    expect(permissionsOf({ permissions: { network: ["a", 3], env: "X", storage: "yes" } })).toEqual({
      network: ["a"],
      env: [],
      storage: false,
    });
    expect(permissionsOf(null)).toEqual({ network: [], env: [], storage: false });
  });

  it("words each permission and finds what an upgrade adds", () => {
    const before = { network: ["a.test"], env: [], storage: false };
    const after = { network: ["a.test", "*"], env: ["K"], storage: true };
    expect(permissionCount(after)).toBe(4);
    expect(describePermissions(after)).toEqual([
      "Connect to a.test over the network",
      "Connect to any host on the network",
      "Read the environment variable K",
      "Keep files in its own data folder",
    ]);
    expect(widenedPermissions(before, after)).toEqual(describePermissions(after).slice(1));
    expect(widenedPermissions(after, before)).toEqual([]);
  });
});

describe("trustEvidence", () => {
  const detail = (patch: Partial<PluginDetail>): PluginDetail => ({
    name: "@a/b",
    description: "",
    version: "2.0.0",
    distTags: { latest: "2.0.0" },
    readme: null,
    manifest: null,
    permissions: null,
    keywords: [],
    categories: [],
    license: null,
    publisher: "ada",
    owners: ["ada"],
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-03-01T00:00:00.000Z",
    downloads: { total: 0 },
    signatures: {
      registry: { keyid: "K1", verified: true },
      publisher: { keyid: "P1", publisher: "ada", verified: true },
    },
    versions: [
      { version: "2.0.0", publishedAt: "2026-03-01T00:00:00.000Z", kernel: "^0.1.0", deprecated: null },
      { version: "1.0.0", publishedAt: "2026-01-01T00:00:00.000Z", kernel: "^0.1.0", deprecated: "use 2" },
    ],
    ...patch,
  });
  const now = Date.parse("2026-03-11T00:00:00.000Z");

  it("lists verified signatures, the publisher's key, age, cadence and deprecations", () => {
    expect(trustEvidence(detail({}), now)).toEqual([
      { kind: "good", text: "Registry signature verified (key K1)" },
      { kind: "good", text: "Signed by its publisher ada (key P1)" },
      { kind: "info", text: "Published by ada; owners: ada" },
      { kind: "info", text: "First published 69 days ago" },
      { kind: "info", text: "2 releases, one every 59 days on average; the last 10 days ago" },
      { kind: "info", text: "1 older version(s) deprecated" },
    ]);
  });

  it("warns about signatures that do not verify, a new package and a deprecated latest", () => {
    const texts = trustEvidence(
      detail({
        createdAt: "2026-03-10T00:00:00.000Z",
        signatures: {
          registry: { keyid: "K1", verified: false },
          publisher: { keyid: "P1", publisher: "eve", verified: false },
        },
        versions: [
          { version: "2.0.0", publishedAt: "2026-03-10T00:00:00.000Z", kernel: null, deprecated: "broken" },
        ],
      }),
      now,
    ).filter((e) => e.kind === "bad");
    expect(texts.map((e) => e.text)).toEqual([
      "Registry signature does NOT verify (key K1)",
      "Publisher signature of eve does NOT verify",
      "First published 1 day ago",
      "Deprecated: broken",
    ]);
  });
});

describe("cliFailure", () => {
  it("reads the CLI's failure line, its code and its hint", () => {
    const stderr =
      "resolved a@1\nbuntime plugin install: a@1 is bad [BUNTIME_ERR_SIGNATURE_INVALID]\n  hint: do not install it\n";
    expect(cliFailure(stderr)).toEqual({
      message: "buntime plugin install: a@1 is bad [BUNTIME_ERR_SIGNATURE_INVALID]",
      code: "BUNTIME_ERR_SIGNATURE_INVALID",
      hint: "do not install it",
    });
    expect(cliFailure("")).toEqual({ message: "the CLI failed" });
  });
});
