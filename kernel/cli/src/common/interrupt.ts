/** Undo steps to run if the user interrupts the command (Ctrl-C) or it is told to stop. */
const undoOnInterrupt: (() => void)[] = [];
let installed = false;
/** How many {@link holdInterrupts} sections run, and the interrupt they hold back. */
let holding = 0;
let held: NodeJS.Signals | undefined;

function interrupted(signal: NodeJS.Signals): void {
  if (holding > 0 && held === undefined) {
    held = signal;
    process.stderr.write(
      `buntime: interrupted (${signal}); undoing the running kernel's changes first (interrupt again to stop at once)\n`,
    );
    return;
  }
  for (const undo of undoOnInterrupt.splice(0).reverse()) {
    try {
      undo();
    } catch {
      // keep undoing the rest
    }
  }
  process.stderr.write(`buntime: interrupted (${signal}); nothing was changed\n`);
  process.exit(130);
}

function listen(): void {
  if (installed) return;
  installed = true;
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);
}

/**
 * Registers `undo` to run if SIGINT or SIGTERM arrives before the returned function is called
 * (latest registered runs first), so an interrupted command still leaves the home as it was.
 */
export function undoIfInterrupted(undo: () => void): () => void {
  listen();
  undoOnInterrupt.push(undo);
  return () => {
    const index = undoOnInterrupt.lastIndexOf(undo);
    if (index !== -1) undoOnInterrupt.splice(index, 1);
  };
}

/** True once an interrupt is held back by {@link holdInterrupts}. */
export function interruptHeld(): boolean {
  return held !== undefined;
}

/** Throws when an interrupt is held back, so the section can undo its steps as on a failure. */
export function throwIfInterrupted(): void {
  if (held !== undefined) throw new Error(`interrupted (${held})`);
}

/**
 * Runs `body`, steps on the running kernel that an exit could leave half done, with interrupts
 * held back: the first SIGINT or SIGTERM is only recorded (`body` checks {@link interruptHeld}
 * and undoes its steps), and handled once `body` settles: the undo steps, then exit 130. A
 * second one is handled at once, leaving the kernel as it is.
 */
export async function holdInterrupts<T>(body: () => Promise<T>): Promise<T> {
  listen();
  holding++;
  try {
    return await body();
  } finally {
    holding--;
    if (holding === 0 && held !== undefined) interrupted(held);
  }
}
