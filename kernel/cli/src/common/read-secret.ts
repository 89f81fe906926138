/**
 * Reads a secret (a password) from stdin: the first line when stdin is piped, else what the user
 * types at the terminal, read in raw mode so the terminal does not echo it onto the screen.
 */
export function readSecret(prompt: string): Promise<string> {
  return process.stdin.isTTY ? readTyped(prompt) : readFirstLine();
}

async function readFirstLine(): Promise<string> {
  // the first line is enough: do not wait for the end of stdin
  const reader = Bun.stdin.stream().getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let chunks = 0; !text.includes("\n") && chunks < 1000; chunks++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text.split(/\r?\n/)[0] ?? "";
}

/**
 * Keystrokes until Enter, echoing nothing. Raw mode also turns Ctrl-C into a plain byte (no
 * SIGINT), so it is handled here: exit 130 once the terminal is restored.
 */
async function readTyped(prompt: string): Promise<string> {
  const stdin = process.stdin;
  const decoder = new TextDecoder();
  let onData = (_chunk: Buffer) => {};
  let onEnd = () => {};
  let secret: string | undefined;
  stdin.setRawMode(true);
  try {
    // prompted only once raw, so nothing typed after the prompt is echoed
    process.stderr.write(prompt);
    secret = await new Promise<string | undefined>((resolve) => {
      const typed: string[] = [];
      onData = (chunk) => {
        for (const key of decoder.decode(chunk, { stream: true })) {
          if (key === "\r" || key === "\n") return resolve(typed.join(""));
          if (key === "\x03") return resolve(undefined);
          if (key === "\x04") {
            if (typed.length === 0) return resolve("");
          } else if (key === "\x7f" || key === "\b") typed.pop();
          else typed.push(key);
        }
      };
      // the terminal hung up: nothing was confirmed
      onEnd = () => resolve("");
      stdin.on("data", onData);
      stdin.once("end", onEnd);
      stdin.resume();
    });
  } finally {
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write("\n");
  }
  if (secret === undefined) process.exit(130);
  return secret;
}
