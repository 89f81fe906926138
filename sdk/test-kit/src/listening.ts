/**
 * Reads a `buntime start` process's stdout until it announces `listening on <url>`, within a
 * deadline; resolves with the URL and everything read so far.
 */
export async function untilListening(
  stdout: ReadableStream<Uint8Array>,
  timeoutMs = 15_000,
): Promise<{ url: URL; output: string }> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let output = "";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    output += decoder.decode(value, { stream: true });
    const match = output.match(/listening on (\S+)/);
    if (match?.[1]) {
      reader.releaseLock();
      return { url: new URL(match[1]), output };
    }
  }
  reader.releaseLock();
  throw new Error(`no "listening on" within ${timeoutMs} ms; stdout so far: ${output}`);
}
