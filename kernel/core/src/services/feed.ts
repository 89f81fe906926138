/** Something listeners subscribe to; the returned function unsubscribes. */
export interface Subscribable<T> {
  subscribe(listener: (event: T) => void): () => void;
}

/** A feed: listeners subscribe, the owner emits. */
export interface Feed<T> extends Subscribable<T> {
  emit(event: T): void;
}

/** A fan-out of events to listeners; one that throws costs neither the others nor the emitter. */
export function createFeed<T>(): Feed<T> {
  const listeners = new Set<(event: T) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // a failing listener must not break the feed for everyone else
        }
      }
    },
  };
}

/**
 * A view of `service` for one plugin whose subscriptions are remembered, so that `release`
 * drops whatever the plugin forgot to unsubscribe when it unloads.
 */
export function subscriptionsOf<S extends Subscribable<unknown>>(service: S): { view: S; release(): void } {
  const held = new Set<() => void>();
  const view: S = {
    ...service,
    subscribe(listener) {
      const unsubscribe = service.subscribe(listener);
      const release = () => {
        held.delete(release);
        unsubscribe();
      };
      held.add(release);
      return release;
    },
  };
  return {
    view,
    release() {
      for (const unsubscribe of held) unsubscribe();
    },
  };
}
