/**
 * Inside a pool worker: the kernel services an isolated plugin declared in `consumes`, reached
 * across the boundary. `ctx.services.get("keyval")` gives a stand-in on which every method
 * call only records a step, so `await kv.namespace("notes").get("a")` sends one message with the
 * whole chain and resolves with the answer. Values cross as JSON: a service that returns
 * functions or class instances gives their JSON form.
 */
import type { ServiceAnswerMessage, ServiceCallMessage, ServiceStep } from "../shared/protocol.ts";

/** Calls services for one worker. */
export interface ServiceClient {
  /** The stand-in for service `name` (declared: the worker checked). */
  service(name: string): unknown;
  /** Settles the call an answer belongs to. */
  settle(message: ServiceAnswerMessage): void;
}

/** Creates the client; `post` sends a call to the pool. */
export function serviceClient(post: (message: ServiceCallMessage) => void): ServiceClient {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 0;

  function call(service: string, chain: readonly ServiceStep[]): Promise<unknown> {
    const id = ++next;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    pending.set(id, { resolve, reject });
    post({ t: "svc", id, service, chain });
    return promise;
  }

  function standIn(service: string, chain: readonly ServiceStep[]): unknown {
    let answer: Promise<unknown> | undefined;
    return new Proxy(() => {}, {
      get(_target, property) {
        if (property === "then") {
          // the service itself is not a promise; a chain of calls is, sent when first awaited
          if (chain.length === 0) return undefined;
          answer ??= call(service, chain);
          return answer.then.bind(answer);
        }
        if (typeof property !== "string") return undefined;
        return (...args: unknown[]) => standIn(service, [...chain, { m: property, a: args }]);
      },
    });
  }

  return {
    service: (name) => standIn(name, []),
    settle(message) {
      const waiting = pending.get(message.id);
      if (waiting === undefined) return;
      pending.delete(message.id);
      if (message.error !== undefined) waiting.reject(new Error(message.error));
      else waiting.resolve(message.value);
    },
  };
}
