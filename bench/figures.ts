/**
 * The figures of issue 19 that compare servers on one path: which servers, which request, and
 * the target (a share of raw Bun.serve measured in the same round).
 */
import { postScript } from "../kernel/core/bench/lib/wrk.ts";

/** The servers bench/all.ts starts once and keeps for the whole run. */
export type ServerName =
  | "raw"
  | "raw deferred"
  | "router only"
  | "default-like"
  | "thread tier (pool only)"
  | "process tier (pool only)";

/** One row of the table: each of `servers` under the same load, in turn, every round. */
export interface Figure {
  name: string;
  path: string;
  connections: number;
  /** A wrk Lua script (a POST body). */
  script?: string;
  servers: ServerName[];
  /** The target for the kernel servers, as a share of raw (or of `ideal` req/s). */
  target?: { share: number; of?: number; label: string };
}

const KERNELS: ServerName[] = ["raw", "router only", "default-like"];

/** The figures, in the order they run; Lua scripts are written on the first call. */
export function figures(): Figure[] {
  return [
    {
      name: "warm hello, 50 connections",
      path: "/hello/",
      connections: 50,
      servers: KERNELS,
      target: { share: 0.5, label: "≥ 0.50 router only, ≥ 0.45 default" },
    },
    {
      name: "warm hello, 200 connections",
      path: "/hello/",
      connections: 200,
      servers: KERNELS,
      target: { share: 0.5, label: "≥ 0.50 router only, ≥ 0.45 default" },
    },
    {
      name: "warm hello, process tier, 50 connections",
      path: "/hello/",
      connections: 50,
      servers: ["raw", "thread tier (pool only)", "process tier (pool only)"],
      target: { share: 0.3, label: "≥ 0.30 process tier" },
    },
    {
      name: "1 KB POST echo",
      path: "/echo/",
      connections: 50,
      script: postScript(1024),
      servers: KERNELS,
      target: { share: 0.5, label: "warm-path ratios" },
    },
    {
      name: "64 KB response",
      path: "/bytes/?size=65536",
      connections: 50,
      servers: KERNELS,
      target: { share: 0.22, label: "≥ 0.22" },
    },
    {
      name: "1 MB response",
      path: "/bytes/?size=1048576",
      connections: 50,
      servers: KERNELS,
      target: { share: 0, label: "reported" },
    },
    {
      name: "10 MB upload",
      path: "/upload/",
      // 4, not 50: ten 10 MB bodies in flight take one app worker past its 256 MB heap limit
      connections: 4,
      script: postScript(10 * 1024 * 1024),
      servers: KERNELS,
      target: { share: 0, label: "reported" },
    },
    {
      name: "50 ms handler (ideal 1000 req/s)",
      path: "/slow/?ms=50",
      connections: 50,
      servers: KERNELS,
      target: { share: 0.9, of: 1000, label: "≥ 0.90 of 1000 req/s" },
    },
    {
      name: "repro: 64 KB, raw answering a later turn",
      path: "/bytes/?size=65536",
      connections: 50,
      servers: ["raw", "raw deferred"],
    },
    {
      name: "repro: hello, raw answering a later turn",
      path: "/hello/",
      connections: 50,
      servers: ["raw", "raw deferred"],
    },
  ];
}
