/** The queue side of the client: a polling listener that acks what its handler returns and nacks what it throws. */
import type { Transport } from "./http.ts";

/** A message as the handler gets it. */
export interface KvQueueMessage<T = unknown> {
  readonly id: string;
  readonly value: T;
  readonly attempts: number;
}

/** Listens to `queue`; returns a function that stops. */
export function listenQueue<T>(
  http: Transport,
  queue: string,
  handler: (value: T, message: KvQueueMessage<T>) => unknown,
  interval: number,
): () => void {
  const base = `/queues/${encodeURIComponent(queue)}`;
  let stopped = false;
  let timer: Timer | undefined;
  const tick = async () => {
    try {
      while (!stopped) {
        const response = await http.request(`${base}/receive`, { method: "POST" }, [204]);
        if (response.status === 204) break;
        const message = (await response.json()) as KvQueueMessage<T>;
        const path = `${base}/messages/${encodeURIComponent(message.id)}`;
        try {
          await handler(message.value, message);
          await http.request(`${path}/ack`, { method: "POST" }, [404]);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          await http.request(`${path}/nack`, { method: "POST", body: JSON.stringify({ reason }) }, [404]);
        }
      }
    } catch {
      // the kernel unreachable for a moment: try again at the next tick
    } finally {
      if (!stopped) timer = setTimeout(tick, interval);
    }
  };
  timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
