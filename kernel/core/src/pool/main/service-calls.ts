/**
 * The pool's side of an isolated plugin's service calls: the chain of method calls a worker
 * sent (see `worker/service-client.ts`) replayed on the real service, if the plugin declared
 * it. The plugin may be hostile, so only plain methods of the service's objects are called:
 * nothing `Object.prototype` or a function has (`constructor`, `call`, `bind`, …), and nothing
 * whose name starts with `_`; a step on a function value is refused.
 */
import type { IsolatedPluginSpec } from "@buntime/sdk";
import type { ServiceAnswerMessage, ServiceCallMessage } from "../shared/protocol.ts";

function refusedMethod(value: unknown, method: string): string | undefined {
  if (typeof value === "function") return "a function's methods cannot be called";
  if (value === null || typeof value !== "object") return "the value has no methods";
  if (method.startsWith("_") || method in Object.prototype || method in Function.prototype) {
    return `${method} is not a method of the service`;
  }
  if (typeof (value as Record<string, unknown>)[method] !== "function") return `${method} is not a method`;
  return undefined;
}

/** Runs `message`'s chain for `plugin` and returns the answer to post back (never throws). */
export async function answerServiceCall(
  plugin: IsolatedPluginSpec | undefined,
  message: ServiceCallMessage,
): Promise<ServiceAnswerMessage> {
  const { id, service, chain } = message;
  try {
    if (plugin?.services === undefined || !(plugin.consumes ?? []).includes(service)) {
      throw new Error(`service ${service} is not declared in consumes`);
    }
    let value: unknown = plugin.services.get(service);
    for (const step of chain) {
      const refused = refusedMethod(value, step.m);
      if (refused !== undefined) throw new Error(`${service}: ${refused}`);
      const method = (value as Record<string, (...args: unknown[]) => unknown>)[step.m] as (
        ...args: unknown[]
      ) => unknown;
      value = await method.apply(value, [...step.a]);
    }
    // what crosses is JSON (the message may travel as JSON text)
    return { t: "svc-res", id, value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)) };
  } catch (error) {
    return { t: "svc-res", id, error: error instanceof Error ? error.message : String(error) };
  }
}
