/** `watch()`: the storage plugin's server-sent events, read as an async generator of changes. */
import type { Transport } from "./http.ts";

/** One key's change: its value and version now (both null when it is gone). */
export interface KvWatchChange<T = unknown> {
  readonly key: string;
  readonly value: T | null;
  readonly version: string | null;
}

/** Yields each `change` event's changes until the consumer stops (`break` or `return()`). */
export async function* watchStream(
  http: Transport,
  keys: readonly string[],
  prefix: string | undefined,
): AsyncGenerator<KvWatchChange[]> {
  const query = new URLSearchParams();
  for (const key of keys) query.append("key", key);
  if (prefix !== undefined) query.set("prefix", prefix);
  const abort = new AbortController();
  const response = await http.request(`/watch?${query}`, { signal: abort.signal });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) return;
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (/^event: ?change$/m.test(event) && data) yield JSON.parse(data) as KvWatchChange[];
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    abort.abort();
  }
}
