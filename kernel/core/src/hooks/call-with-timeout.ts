import { BuntimeError } from "@buntime/sdk";

/**
 * Runs one plugin hook under a deadline and stamps any failure with the plugin's name.
 * A hook that answers synchronously, or with an already settled promise, is answered
 * synchronously with no timer: the common no-op hook stays on the fast path.
 */
export function callWithTimeout<T>(
  plugin: string,
  hook: string,
  timeoutMs: number,
  invoke: () => T | Promise<T>,
): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = invoke();
  } catch (error) {
    throw hookFailure(plugin, hook, error);
  }
  return result instanceof Promise ? settleWithin(plugin, hook, timeoutMs, result) : result;
}

/** A hook's promise, read at once when already fulfilled, else raced against the deadline. */
export function settleWithin<T>(
  plugin: string,
  hook: string,
  timeoutMs: number,
  pending: Promise<T>,
): T | Promise<T> {
  if (Bun.peek.status(pending) === "fulfilled") return Bun.peek(pending) as T;
  return raceDeadline(plugin, hook, timeoutMs, pending);
}

async function raceDeadline<T>(
  plugin: string,
  hook: string,
  timeoutMs: number,
  pending: Promise<T>,
): Promise<T> {
  let timer: Timer | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(stamp(new BuntimeError("BUNTIME_ERR_HOOK_TIMEOUT", { plugin, hook, ms: timeoutMs }), plugin)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([pending, deadline]);
  } catch (error) {
    throw hookFailure(plugin, hook, error);
  } finally {
    clearTimeout(timer);
  }
}

function stamp(error: BuntimeError, plugin: string): BuntimeError {
  error.plugin = plugin;
  return error;
}

/** Wraps what a hook threw in a coded error naming the plugin; timeouts pass through. */
export function hookFailure(plugin: string, hook: string, error: unknown): BuntimeError {
  if (error instanceof BuntimeError && error.code === "BUNTIME_ERR_HOOK_TIMEOUT") return error;
  return stamp(new BuntimeError("BUNTIME_ERR_HOOK_FAILED", { plugin, hook }, { cause: error }), plugin);
}
