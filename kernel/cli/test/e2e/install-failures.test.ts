import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type TarInput, writeTar } from "@buntime/supply";
import {
  cleanUp,
  cli,
  liveRegistry,
  type PluginFixture,
  seed,
  snapshot,
  workspace,
  writePlugin,
} from "./support.ts";
import { type TamperMode, tamperingProxy } from "./tampering-proxy.ts";

afterAll(cleanUp);

const dir = workspace();
const home = join(dir, "home");
let registry = "";
let proxy: ReturnType<typeof tamperingProxy>;

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  proxy = tamperingProxy(registry);
  const plugins: PluginFixture[] = [
    { name: "auth", version: "1.0.0" },
    { name: "auth", version: "1.1.0" },
    { name: "future", version: "1.0.0", kernel: "^9.0.0" },
    { name: "lib", version: "1.0.0" },
    { name: "lib", version: "2.0.0" },
    { name: "web", version: "1.0.0", deps: { lib: "^1.0.0" } },
    { name: "api", version: "1.0.0", deps: { lib: "^2.0.0" } },
    { name: "victim", version: "1.0.0" },
  ];
  for (const plugin of plugins) {
    await seed(running, writePlugin(dir, plugin));
  }
  const first = await cli(["plugin", "install", "auth@1.0.0", "--registry", registry, "--home", home], dir);
  expect(first.code).toBe(0);
}, 30_000);
afterAll(() => proxy?.stop());

const file = (path: string): TarInput => ({ path, data: new TextEncoder().encode("x"), mode: 0o644 });
const crafted = (bad: TarInput) =>
  Bun.gzipSync(
    writeTar([
      {
        path: "package/package.json",
        data: new TextEncoder().encode('{"name":"victim","version":"1.0.0"}'),
        mode: 0o644,
      },
      bad,
      file("package/after.txt"),
    ]) as Uint8Array<ArrayBuffer>,
  );

interface FailureCase {
  label: string;
  args: string[];
  viaProxy?: TamperMode;
  message: string;
  hint: string;
}

const cases: FailureCase[] = [
  {
    label: "an unknown plugin, with a did-you-mean",
    args: ["plugin", "install", "auht"],
    message: "auht is not in registry",
    hint: "did you mean auth?",
  },
  {
    label: "a range no version satisfies, listing the available ones",
    args: ["plugin", "install", "auth@^3"],
    message:
      "no version of auth satisfies ^3 (available: 1.1.0, 1.0.0) [BUNTIME_ERR_INSTALL_NO_MATCHING_VERSION]",
    hint: "pick one of the available versions",
  },
  {
    label: "a plugin for another kernel",
    args: ["plugin", "install", "future"],
    message: "no version of future matching * supports kernel 0.1.0 (1.0.0 needs kernel ^9.0.0)",
    hint: "upgrade the kernel",
  },
  {
    label: "conflicting ranges, showing both paths",
    args: ["plugin", "install", "web", "api"],
    message:
      "lib is wanted as ^1.0.0 (you > web@1.0.0) and as ^2.0.0 (you > api@1.0.0) [BUNTIME_ERR_INSTALL_CONFLICT]",
    hint: "install versions whose ranges agree",
  },
  {
    label: "an unreachable registry",
    args: ["plugin", "install", "auth", "--registry", "http://127.0.0.1:9/"],
    message: "registry http://127.0.0.1:9/ is unreachable",
    hint: "buntime registry start",
  },
  {
    label: "a tarball altered on the way (integrity mismatch)",
    args: ["plugin", "install", "auth@1.1.0"],
    viaProxy: { kind: "corrupt-tarball" },
    message: "auth@1.1.0: downloaded tarball is sha512-",
    hint: "the download was altered or corrupted",
  },
  {
    label: "an older tarball replayed as a newer version (bad registry signature)",
    args: ["plugin", "install", "auth@1.1.0"],
    viaProxy: { kind: "replay-older", name: "auth", newer: "1.1.0", older: "1.0.0" },
    message: "auth@1.1.0: registry signature does not verify (the signature does not match the tarball)",
    hint: "do not install it",
  },
  {
    label: "a plugin without a publisher signature under the publisher policy",
    args: ["plugin", "install", "victim", "--signatures", "publisher"],
    message: "victim@1.0.0: no publisher signature, and the signature policy 'publisher' requires one",
    hint: "relax the policy",
  },
  {
    label: "a crafted tarball with a '..' entry",
    args: ["plugin", "install", "victim", "--signatures", "none"],
    viaProxy: {
      kind: "crafted",
      name: "victim",
      version: "1.0.0",
      tarball: crafted(file("package/../../../escaped.txt")),
    },
    message:
      "victim@1.0.0: refused entry package/../../../escaped.txt: a '..' segment that escapes the folder",
    hint: "nothing was written",
  },
  {
    label: "a crafted tarball with an absolute path",
    args: ["plugin", "install", "victim", "--signatures", "none"],
    viaProxy: {
      kind: "crafted",
      name: "victim",
      version: "1.0.0",
      tarball: crafted(file(`${dir}/absolute.txt`)),
    },
    message: "an absolute path [BUNTIME_ERR_TARBALL_UNSAFE_ENTRY]",
    hint: "nothing was written",
  },
  {
    label: "a crafted tarball with a symlink",
    args: ["plugin", "install", "victim", "--signatures", "none"],
    viaProxy: {
      kind: "crafted",
      name: "victim",
      version: "1.0.0",
      tarball: crafted({ ...file("package/link"), type: "symlink", linkTarget: "/etc/passwd" }),
    },
    message: "refused entry package/link: a symbolic link (to /etc/passwd)",
    hint: "nothing was written",
  },
  {
    label: "a tarball whose package.json names another plugin",
    args: ["plugin", "install", "victim", "--signatures", "none"],
    viaProxy: {
      kind: "crafted",
      name: "victim",
      version: "1.0.0",
      tarball: Bun.gzipSync(
        writeTar([
          {
            path: "package/package.json",
            data: new TextEncoder().encode(
              JSON.stringify({ name: "other", version: "9.9.9", buntime: { kernel: "^0.1.0" } }),
            ),
            mode: 0o644,
          },
          file("package/index.ts"),
        ]) as Uint8Array<ArrayBuffer>,
      ),
    },
    message: "victim@1.0.0: not a valid tarball: its package.json is other@9.9.9",
    hint: "the package is broken; nothing was written",
  },
  {
    label: "a packument advertising a manifest the tarball does not hold (fewer permissions)",
    args: ["plugin", "install", "victim", "--signatures", "none"],
    viaProxy: {
      kind: "advertise",
      name: "victim",
      version: "1.0.0",
      buntime: { kernel: "^0.1.0", base: "/victim", dependencies: {}, permissions: { network: [] } },
    },
    message:
      "victim@1.0.0: not a valid tarball: its package.json's buntime manifest differs from the one the registry advertised (permissions)",
    hint: "the package is broken; nothing was written",
  },
  {
    label: "a tarball without a package.json",
    args: ["plugin", "install", "victim", "--signatures", "none"],
    viaProxy: {
      kind: "crafted",
      name: "victim",
      version: "1.0.0",
      tarball: Bun.gzipSync(writeTar([file("package/index.ts")]) as Uint8Array<ArrayBuffer>),
    },
    message: "victim@1.0.0: not a valid tarball: no readable package.json in it",
    hint: "the package is broken; nothing was written",
  },
  {
    label: "removing a plugin that is not installed",
    args: ["plugin", "remove", "nothing"],
    message: "nothing is not installed in",
    hint: "see what is installed: buntime plugin list",
  },
  {
    label: "rolling back a plugin never upgraded",
    args: ["plugin", "rollback", "auth"],
    message: "auth has no previous version to roll back to",
    hint: "a previous version is kept only after an upgrade",
  },
];

describe("every install failure says why, hints what to do, and leaves the home as it was", () => {
  it.each(cases)(
    "$label",
    async ({ args, viaProxy, message, hint }) => {
      const before = snapshot(home);
      proxy.state.mode = viaProxy ?? { kind: "none" };
      const target = args.includes("--registry") ? [] : ["--registry", viaProxy ? proxy.url : registry];
      const run = await cli([...args, ...target, "--home", home], dir);
      proxy.state.mode = { kind: "none" };
      expect(run.stderr).toContain(message);
      const lines = run.stderr.trim().split("\n");
      expect(lines.filter((line) => line.startsWith("buntime "))).toHaveLength(1);
      expect(lines.at(-1)).toStartWith("  hint: ");
      expect(lines.at(-1)).toContain(hint);
      expect(run.code).toBe(1);
      expect(snapshot(home)).toEqual(before);
      expect(existsSync(join(dir, "escaped.txt"))).toBe(false);
      expect(existsSync(join(dir, "absolute.txt"))).toBe(false);
    },
    20_000,
  );

  it("tells an unsigned-in publisher to log in", async () => {
    const plugin = writePlugin(dir, { name: "unsigned-in", version: "1.0.0" });
    const run = await cli(["plugin", "publish", plugin, "--registry", registry], dir);
    expect(run.stderr).toContain("answered 401 to publish unsigned-in@1.0.0");
    expect(run.stderr).toContain("hint: sign in first: buntime login --user <name>");
    expect(run.code).toBe(1);
  }, 20_000);

  it("answers failures as JSON with --json", async () => {
    const run = await cli(
      ["plugin", "install", "auht", "--json", "--registry", registry, "--home", home],
      dir,
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: "BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN",
        message: `auht is not in registry ${registry}`,
        hint: "did you mean auth?",
      },
    });
  }, 20_000);
});
