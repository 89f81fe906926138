/**
 * `buntime login` typed at a real terminal: the CLI runs under a pseudo-terminal (util-linux
 * `script`), so the test sees what the user's screen would show.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createRegistryClient } from "@buntime/supply";
import { cleanUp, cli, liveRegistry, workspace } from "./support.ts";

afterAll(cleanUp);

const CLI = join(import.meta.dir, "..", "..", "bin", "buntime.ts");
const dir = workspace();
let registry = "";

beforeAll(async () => {
  registry = (await liveRegistry(dir)).url;
  await createRegistryClient({ registry }).login("ada", "correct horse", "ada@example.com");
}, 30_000);

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `login --user ada` in a pseudo-terminal, types `keys` once the prompt shows, then runs
 * `after` in the same shell; hands back everything the terminal showed.
 */
async function loginAtTerminal(keys: string, after = ""): Promise<string> {
  const login = [process.execPath, CLI, "login", "--user", "ada", "--registry", registry]
    .map(quote)
    .join(" ");
  const child = Bun.spawn(["script", "-qec", `${login}; ${after}`, "/dev/null"], {
    cwd: dir,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
    env: {
      PATH: process.env.PATH ?? "",
      SHELL: "/bin/sh",
      HOME: dir,
      BUNTIME_CLI_DIR: join(dir, "cli-settings"),
    },
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const decoder = new TextDecoder();
  let screen = "";
  let typed = false;
  for await (const chunk of child.stdout) {
    screen += decoder.decode(chunk, { stream: true });
    // the prompt shows once the terminal no longer echoes: typing earlier would show the keys
    if (!typed && screen.includes("password: ")) {
      typed = true;
      child.stdin.write(keys);
      child.stdin.flush();
    }
  }
  child.stdin.end();
  await child.exited;
  clearTimeout(timer);
  return screen;
}

describe.skipIf(!Bun.which("script"))("signing in at a terminal", () => {
  it("does not echo the password, honours Backspace and signs in", async () => {
    const screen = await loginAtTerminal("correct horsf\x7fe\r", 'echo "exit=$?"');
    expect(screen).toContain("password: ");
    expect(screen).not.toContain("hors");
    expect(screen).toContain(`logged in as ada to ${registry}`);
    expect(screen).toContain("exit=0");
    expect((await cli(["whoami", "--registry", registry], dir)).stdout).toContain("ada");
  }, 30_000);

  it("gives the terminal back as it was and exits 130 on Ctrl-C", async () => {
    const screen = await loginAtTerminal("half typed\x03", 'echo "exit=$?"; stty -a');
    expect(screen).not.toContain("half");
    expect(screen).toContain("exit=130");
    // stty marks a mode that is off with a leading "-": echo and line editing are back on
    expect(screen).toMatch(/(^|\s)echo(\s|$)/m);
    expect(screen).toMatch(/(^|\s)icanon(\s|$)/m);
  }, 30_000);

  it("ends with no password on Ctrl-D", async () => {
    const screen = await loginAtTerminal("\x04", 'echo "exit=$?"');
    expect(screen).toContain("no password");
    expect(screen).toContain("exit=2");
  }, 30_000);
});
