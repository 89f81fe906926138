/**
 * What the metrics plugin's routes answer, for the kernel's OpenAPI document
 * (`GET /_/api/openapi.json`). None takes a body; the Prometheus text at the base is described
 * as `text/plain` (the exposition format, version 0.0.4), the rest as JSON.
 */
import { describeRoute, errorResponses, jsonResponse } from "@buntime/sdk";
import { z } from "zod";

const SCRAPE_REFUSED = "scrapeToken is set and the request has neither it nor an admin's session";
const count = z.number().min(0);
const bounds = z.array(z.number()).describe("upper bounds of the latency buckets, in seconds");
const buckets = z
  .array(count)
  .describe("requests per latency bucket (not cumulative); the last is past the largest bound");

const snapshotSchema = z.object({
  time: z.number().describe("epoch milliseconds"),
  kernel: z.string().describe("the kernel's version"),
  bounds,
  inFlight: count,
  routes: z.array(
    z.object({
      route: z.string(),
      method: z.string(),
      statuses: z.record(z.string(), count).describe("answers by status code"),
      buckets,
      sum: z.number().describe("seconds spent answering, summed"),
      count,
    }),
  ),
  pool: z
    .looseObject({ workers: count, evicted: count, apps: z.record(z.string(), z.unknown()) })
    .describe("the worker pool, as GET /_/api/pool answers"),
  plugins: z
    .array(z.looseObject({ name: z.string(), version: z.string(), status: z.enum(["running", "failed"]) }))
    .nullable()
    .describe(
      "every plugin the kernel knows, as GET /_/api/plugins lists them; null when pluginStatus is off",
    ),
});

const nodeSummarySchema = z.object({
  node: z.string(),
  time: z.number().describe("epoch milliseconds"),
  requests: count,
  errors: count.describe("answers with a 5xx status"),
  bounds,
  buckets,
  inFlight: count,
});

const clusterSchema = z.object({
  nodes: z
    .array(
      z.discriminatedUnion("status", [
        nodeSummarySchema.extend({ status: z.literal("ok") }),
        z.object({ node: z.string(), status: z.literal("missing"), reason: z.string() }),
      ]),
    )
    .describe("every node, in name order"),
  error: z
    .string()
    .optional()
    .describe("why the cluster's nodes could not be read (only this node is listed)"),
});

/** The descriptions, one per route of the metrics plugin. */
export const metricsDescriptions = {
  exposition: describeRoute({
    summary: "Every figure in the Prometheus text format, for a scraper",
    description:
      "A browser (Accept: text/html) is sent to the UI page unless it asks format=prometheus. " +
      "With scrapeToken set: Authorization: Bearer <scrapeToken>, or a signed-in admin.",
    parameters: [
      {
        in: "query",
        name: "format",
        required: false,
        schema: { type: "string", enum: ["prometheus"] },
        description: "the text even for a browser",
      },
    ],
    responses: {
      200: {
        description: "the Prometheus text exposition format, version 0.0.4",
        content: { "text/plain": { schema: { type: "string" } } },
      },
      302: { description: "a browser is sent to the UI page at <base>/" },
      ...errorResponses({ 401: `${SCRAPE_REFUSED} (BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED)` }),
    },
  }),
  snapshot: describeRoute({
    summary: "This node's figures at one instant, as JSON (what the UI page polls)",
    responses: { 200: jsonResponse("the snapshot", snapshotSchema) },
  }),
  cluster: describeRoute({
    summary: "Every node's request counters, read at the same time (with the scrape token)",
    responses: { 200: jsonResponse("each node's counters, or why they are missing", clusterSchema) },
  }),
  peer: describeRoute({
    summary: "This node's counters for another node of the cluster",
    description: "Only where scrapeToken is set. Authorization: Bearer <scrapeToken>, or a signed-in admin.",
    responses: {
      200: jsonResponse("this node's counters", nodeSummarySchema),
      ...errorResponses({ 401: `${SCRAPE_REFUSED} (BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED)` }),
    },
  }),
};
