/** @buntime/test-kit/ports: free loopback ports for the servers tests start. */

/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
export function freeLoopbackPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/**
 * Resolves with what `stream` said once `text` shows up on it; rejects after `ms`, or when the
 * stream ends first, with what it said. What comes after is drained, so a chatty server never
 * stalls on a full pipe.
 */
export async function untilLine(
  stream: ReadableStream<Uint8Array>,
  text: string,
  ms: number,
  what: string,
): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const timer = setTimeout(() => reader.cancel(`no "${text}" within ${ms} ms`), ms);
  try {
    for (let chunks = 0; chunks < 10_000; chunks++) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      if (seen.includes(text)) {
        reader.releaseLock();
        stream.pipeTo(new WritableStream()).catch(() => {});
        return seen;
      }
    }
    throw new Error(`${what} did not start: ${seen}`);
  } finally {
    clearTimeout(timer);
  }
}
