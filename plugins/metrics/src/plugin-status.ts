/** A plugin as the kernel's `/_/api/plugins` lists it (the fields metrics use). */
export interface PluginStatusLine {
  readonly name: string;
  readonly version: string;
  readonly status: "running" | "failed";
  readonly error?: string;
}

function isStatusLine(value: unknown): value is PluginStatusLine {
  const line = value as Partial<PluginStatusLine> | null;
  return (
    typeof line?.name === "string" &&
    typeof line.version === "string" &&
    (line.status === "running" || line.status === "failed")
  );
}

/**
 * Reads the plugin list from the kernel's own API (plugins see no kernel internals, and this
 * is what `/_/api/plugins` shows everyone). Resolves `undefined` when the kernel does not
 * listen yet, does not answer within `timeoutMs`, or answers something else.
 */
export async function readPluginStatus(
  kernelUrl: URL | undefined,
  timeoutMs = 2000,
): Promise<PluginStatusLine[] | undefined> {
  if (!kernelUrl) return undefined;
  try {
    const response = await fetch(new URL("/_/api/plugins", kernelUrl), {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: "application/json" },
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { plugins?: unknown };
    if (!Array.isArray(body.plugins)) return undefined;
    return body.plugins.filter(isStatusLine);
  } catch {
    return undefined;
  }
}

/**
 * A reader of the plugin list that reuses an answer younger than `maxAgeMs` (and one request in
 * flight), so that a UI polling every 2 s does not ask the kernel every time.
 */
export function cachedPluginStatus(
  kernelUrl: () => URL | undefined,
  maxAgeMs = 5000,
): () => Promise<PluginStatusLine[] | undefined> {
  let pending: Promise<PluginStatusLine[] | undefined> | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  return () => {
    const url = kernelUrl();
    if (!url) return Promise.resolve(undefined);
    if (pending && performance.now() - readAt < maxAgeMs) return pending;
    readAt = performance.now();
    pending = readPluginStatus(url);
    return pending;
  };
}
