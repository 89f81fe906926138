import { type RequestContext, routeLabelOf } from "@buntime/sdk";
import { isRouteOf, OTHER_ROUTE } from "./route-label.ts";

declare module "@buntime/sdk" {
  interface RequestLocals {
    /** `performance.now()` when the metrics plugin's `onRequest` saw the request: the start of its latency. */
    metricsArrivedAt?: number;
  }
}

/** Default latency buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Counts and latencies of one route and method. */
export interface RouteSeries {
  readonly route: string;
  readonly method: string;
  /** Answers by status code. */
  readonly statuses: Map<number, number>;
  /** Per bucket (the last is +Inf), the requests that took at most its bound and more than the previous one. */
  readonly buckets: Float64Array;
  /** Seconds summed over the timed requests. */
  sum: number;
  /** Timed requests (those whose arrival this plugin saw). */
  count: number;
}

/**
 * Request counts and latency histograms per route and method, fed by `onRequest` (arrival,
 * noted in the request's locals) and `onResponse` (answer). Series are made once per route and
 * method; a request of the same route and method as the one before finds its series without
 * cutting the route out of its path or looking it up. Routes are the first path segment, capped
 * at `maxRoutes`.
 */
export class HttpMetrics {
  readonly bounds: readonly number[];
  readonly #maxRoutes: number;
  readonly #routes = new Map<string, Map<string, RouteSeries>>();
  /** The series the last answer went to, when it carries its own route's label (not `other`). */
  #last: RouteSeries | undefined;
  #inFlight = 0;

  constructor(options: { maxRoutes: number; buckets?: readonly number[] }) {
    this.#maxRoutes = options.maxRoutes;
    this.bounds = [...(options.buckets ?? DEFAULT_BUCKETS)].sort((a, b) => a - b);
  }

  /** Requests that arrived and have no answer yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Notes that the request of `context` arrived. */
  arrived(context: RequestContext): void {
    context.locals.metricsArrivedAt = performance.now();
    this.#inFlight++;
  }

  /** Counts the answer to the request of `context`, and times it when its arrival was noted. */
  answered(response: Response, request: Request, context: RequestContext): void {
    const start = context.locals.metricsArrivedAt;
    if (start !== undefined) this.#inFlight--;
    const status = response.status;
    const method = request.method;
    const path = context.pathname;
    let series = this.#last;
    if (series === undefined || series.method !== method || !isRouteOf(path, series.route)) {
      series = this.#series(routeLabelOf(path), method, status);
      // a series labelled `other` stands for many routes: the next request's route must be cut again
      this.#last = series.route === OTHER_ROUTE ? undefined : series;
    }
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
    if (start === undefined) return;
    const seconds = (performance.now() - start) / 1000;
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && seconds > (bounds[bucket] as number)) bucket++;
    series.buckets[bucket] = (series.buckets[bucket] as number) + 1;
    series.sum += seconds;
    series.count++;
  }

  /** Every series, in the order they first appeared. */
  *series(): Generator<RouteSeries> {
    for (const methods of this.#routes.values()) yield* methods.values();
  }

  #series(route: string, rawMethod: string, status: number): RouteSeries {
    const method = METHODS.has(rawMethod) ? rawMethod : "OTHER";
    let methods = this.#routes.get(route);
    if (!methods) {
      // A 404 on a route never answered otherwise is most likely a probe: it takes no label of its own.
      if (status === 404 || this.#routes.size >= this.#maxRoutes) {
        route = OTHER_ROUTE;
        methods = this.#routes.get(route);
      }
      if (!methods) {
        methods = new Map();
        this.#routes.set(route, methods);
      }
    }
    let series = methods.get(method);
    if (!series) {
      series = {
        route,
        method,
        statuses: new Map(),
        buckets: new Float64Array(this.bounds.length + 1),
        sum: 0,
        count: 0,
      };
      methods.set(method, series);
    }
    return series;
  }
}
