/**
 * Where a cold start's time goes, read from outside: when each step of a start shows on the
 * kernel's stderr, in milliseconds since the spawn. No instrumentation in the kernel: the lines
 * are the ones every start writes (`verified N plugins`, `started <plugin>`, `listening on`).
 */

/** When each step showed, in ms since the spawn (undefined when it never did). */
export interface StartMarks {
  /** The CLI loaded and every file of the build checked (`verified N plugins ...`). */
  verified?: number;
  /** The kernel created and the plugins imported: the first `started <plugin>`. */
  firstStarted?: number;
  /** Every plugin's setup done: the last `started <plugin>`. */
  lastStarted?: number;
  /** The app-shadow checks done and the port bound (`[kernel] listening on`). */
  listening?: number;
}

/** Notes in `marks`, as they come, when `stderr` shows each step; resolves when the stream ends. */
export async function readStartMarks(
  stderr: ReadableStream<Uint8Array>,
  spawned: number,
  marks: StartMarks,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of stderr) {
    const now = performance.now() - spawned;
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith("verified ")) marks.verified ??= now;
      else if (line.includes("[kernel:plugins] started ")) {
        marks.firstStarted ??= now;
        if (marks.listening === undefined) marks.lastStarted = now;
      } else if (line.includes("[kernel] listening on")) marks.listening ??= now;
    }
  }
}

/** The phases of a start, in ms: the differences between its marks, and the ready time. */
export function startPhases(marks: StartMarks, ready: number): Record<string, number> {
  const { verified = Number.NaN, firstStarted = Number.NaN, lastStarted = Number.NaN } = marks;
  const listening = marks.listening ?? Number.NaN;
  return {
    "spawn, CLI and kernel loaded, every file checked": verified,
    "kernel created, plugins imported": firstStarted - verified,
    "plugins' setups": lastStarted - firstStarted,
    "app-shadow checks, port bound": listening - lastStarted,
    "first ready answer": ready - listening,
  };
}
