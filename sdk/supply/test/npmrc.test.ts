import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { npmrcFiles, npmrcToken, registryKeys } from "@buntime/supply";

const dir = mkdtempSync(join(tmpdir(), "buntime-npmrc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A user folder (HOME) and a project with a package.json and a nested folder to run in. */
function layout(name: string, user: string | undefined, project: string | undefined) {
  const root = join(dir, name);
  const home = join(root, "home");
  const projectDir = join(root, "project");
  mkdirSync(join(projectDir, "src", "deep"), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(projectDir, "package.json"), "{}");
  if (user !== undefined) writeFileSync(join(home, ".npmrc"), user);
  if (project !== undefined) writeFileSync(join(projectDir, ".npmrc"), project);
  return { home, projectDir, cwd: join(projectDir, "src", "deep") };
}

describe(".npmrc tokens", () => {
  it("matches //host:port/path/ and then each parent path, as npm does", () => {
    expect(registryKeys("http://127.0.0.1:4873/npm/buntime/")).toEqual([
      "//127.0.0.1:4873/npm/buntime/",
      "//127.0.0.1:4873/npm/",
      "//127.0.0.1:4873/",
    ]);
    expect(registryKeys("https://registry.example.com:443/")).toEqual(["//registry.example.com/"]);
    const { home, cwd } = layout("parents", "//127.0.0.1:4873/npm/:_authToken=parent-token\n", undefined);
    expect(npmrcToken("http://127.0.0.1:4873/npm/buntime/", { cwd, env: { HOME: home } })?.token).toBe(
      "parent-token",
    );
    // another port is another registry
    expect(npmrcToken("http://127.0.0.1:4874/npm/buntime/", { cwd, env: { HOME: home } })).toBeUndefined();
  });

  it("takes the project's file (next to the nearest package.json) before the user's", () => {
    const { home, projectDir, cwd } = layout(
      "precedence",
      "//127.0.0.1:4873/:_authToken=user-token\n",
      "; the project's\n//127.0.0.1:4873/:_authToken=project-token\n",
    );
    expect(npmrcFiles({ cwd, env: { HOME: home } })).toEqual([
      join(projectDir, ".npmrc"),
      join(home, ".npmrc"),
    ]);
    expect(npmrcToken("http://127.0.0.1:4873/", { cwd, env: { HOME: home } })).toEqual({
      token: "project-token",
      source: join(projectDir, ".npmrc"),
    });
    // a project file without a line for this registry falls through to the user's
    expect(npmrcToken("http://127.0.0.1:4873/", { cwd: home, env: { HOME: home } })?.token).toBe(
      "user-token",
    );
  });

  it("reads NPM_CONFIG_USERCONFIG instead of ~/.npmrc", () => {
    const { home, cwd } = layout("userconfig", "//r.example/:_authToken=home-token\n", undefined);
    const other = join(dir, "userconfig", "other.npmrc");
    writeFileSync(other, '//r.example/:_authToken="quoted-token"\n');
    expect(
      npmrcToken("https://r.example/", { cwd, env: { HOME: home, NPM_CONFIG_USERCONFIG: other } }),
    ).toEqual({
      token: "quoted-token",
      source: other,
    });
  });

  it("expands environment variables, and optional ones to nothing when unset", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: .npmrc syntax, not a template
    const { home, cwd } = layout("env", "//r.example/:_authToken=${BUNTIME_TEST_TOKEN}\n", undefined);
    expect(
      npmrcToken("https://r.example/", { cwd, env: { HOME: home, BUNTIME_TEST_TOKEN: "from-env" } })?.token,
    ).toBe("from-env");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: .npmrc syntax, not a template
    const optional = layout("optional", "//r.example/:_authToken=${NOT_SET?}\n", undefined);
    expect(
      npmrcToken("https://r.example/", { cwd: optional.cwd, env: { HOME: optional.home } }),
    ).toBeUndefined();
  });

  it("refuses a token line whose variable is unset, naming the file, the line and the variable", () => {
    const { home, cwd } = layout(
      "unset",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: .npmrc syntax, not a template
      "registry=https://r.example/\n\n//r.example/:_authToken=${MISSING_TOKEN}\n",
      undefined,
    );
    expect(() => npmrcToken("https://r.example/", { cwd, env: { HOME: home } })).toThrow(
      `${join(home, ".npmrc")} line 3: the token for https://r.example/ uses the environment variable MISSING_TOKEN, which is not set`,
    );
    // a line for another registry is never read, so its variables do not matter
    expect(npmrcToken("https://other.example/", { cwd, env: { HOME: home } })).toBeUndefined();
  });

  it("expands variables in keys too, and a key with an unset variable matches nothing", () => {
    const { home, cwd } = layout(
      "keys",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: .npmrc syntax, not a template
      "//${REGISTRY_HOST}/:_authToken=keyed-token\n",
      undefined,
    );
    expect(
      npmrcToken("http://127.0.0.1:4873/", { cwd, env: { HOME: home, REGISTRY_HOST: "127.0.0.1:4873" } })
        ?.token,
    ).toBe("keyed-token");
    expect(npmrcToken("http://127.0.0.1:4873/", { cwd, env: { HOME: home } })).toBeUndefined();
  });
});
