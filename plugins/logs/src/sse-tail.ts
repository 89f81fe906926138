import { BuntimeError } from "@buntime/sdk";
import type { LogFilter } from "./log-filter.ts";
import type { LogStore } from "./log-store.ts";

/** Limits of the live tail. */
export interface TailOptions {
  /** Tails open at once; one more gets 503. */
  readonly maxTails: number;
  /** A comment line is sent this often so that the server and proxies keep the connection. @default 5000 */
  readonly heartbeatMs?: number;
  /** Events a slow client may leave unread before its tail is closed. @default 1000 */
  readonly maxBacklog?: number;
  /** The close functions of open tails: the plugin closes them all when it stops. */
  readonly open: Set<() => void>;
}

const encoder = new TextEncoder();

function event(seq: number, json: string): Uint8Array {
  return encoder.encode(`id: ${seq}\nevent: log\ndata: ${json}\n\n`);
}

/**
 * Opens a live tail of `store` as a `text/event-stream` response: first the buffered lines
 * after `filter.after` (the `Last-Event-ID` a reconnecting EventSource sends), then each new
 * line that passes `filter`, until the client goes away.
 */
export function openTail(
  store: LogStore,
  filter: LogFilter,
  signal: AbortSignal,
  options: TailOptions,
): Response {
  if (options.open.size >= options.maxTails) {
    return new BuntimeError("BUNTIME_ERR_LOGS_TAIL_LIMIT", { limit: options.maxTails }).getResponse({
      "retry-after": "5",
    });
  }
  const maxBacklog = options.maxBacklog ?? 1000;
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("retry: 2000\n\n"));
      // The replay is bounded by the buffer's capacity, so it is queued whole; the backlog
      // limit counts from where it leaves the queue.
      let replayed = 0;
      if (filter.after !== undefined) {
        for (const entry of store.query(filter, store.capacity).entries) {
          controller.enqueue(event(entry.seq, JSON.stringify(entry)));
          replayed++;
        }
      }
      const lowest = -(maxBacklog + replayed);
      let closed = false;
      const send = (chunk: Uint8Array) => {
        if (closed) return;
        if ((controller.desiredSize ?? 0) < lowest) return close(); // too slow: let it reconnect
        controller.enqueue(chunk);
      };
      const unfollow = store.follow(filter, (entry, json) => send(event(entry.seq, json)));
      const heartbeat = setInterval(
        () => send(encoder.encode(": keep-alive\n\n")),
        options.heartbeatMs ?? 5000,
      );
      heartbeat.unref?.();
      const close = () => {
        if (closed) return;
        closed = true;
        options.open.delete(close);
        unfollow();
        clearInterval(heartbeat);
        signal.removeEventListener("abort", close);
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
      };
      signal.addEventListener("abort", close);
      options.open.add(close);
      stop = close;
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}
