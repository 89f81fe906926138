/** Undo steps to run if the user interrupts the command (Ctrl-C) or it is told to stop. */
const undoOnInterrupt: (() => void)[] = [];
let installed = false;

function interrupted(signal: NodeJS.Signals): void {
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

/**
 * Registers `undo` to run if SIGINT or SIGTERM arrives before the returned function is called
 * (latest registered runs first), so an interrupted command still leaves the home as it was.
 */
export function undoIfInterrupted(undo: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on("SIGINT", interrupted);
    process.on("SIGTERM", interrupted);
  }
  undoOnInterrupt.push(undo);
  return () => {
    const index = undoOnInterrupt.lastIndexOf(undo);
    if (index !== -1) undoOnInterrupt.splice(index, 1);
  };
}
