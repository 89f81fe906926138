/**
 * What the shell's API answers, for the kernel's OpenAPI document (`GET /_/api/openapi.json`,
 * which the shell's own API page browses). Every route is behind the shell's gate: a signed-in
 * user with the auth plugin, loopback without it.
 */
import { clusterViewSchema, describeRoute, errorResponses, jsonResponse, resolver } from "@buntime/sdk";
import { z } from "zod";
import { timingsReportSchema } from "./timings.ts";

const GATE = {
  401: "not signed in, with the auth plugin (BUNTIME_ERR_AUTH_REQUIRED)",
  403: "not from loopback, without the auth plugin (BUNTIME_ERR_SHELL_LOOPBACK_ONLY)",
};

const menuEntrySchema = z.object({
  label: z.string(),
  path: z.string(),
  icon: z.string().optional(),
  owner: z.string(),
  kind: z.enum(["plugin", "app", "shell"]),
});

const summarySchema = z.object({
  count: z.number().int(),
  p50: z.number().optional(),
  p95: z.number().optional(),
  max: z.number().optional(),
});

/** The descriptions, one per route. */
export const shellDescriptions = {
  catalog: describeRoute({
    summary: "The plugins, the apps with pages, and the menu built from both",
    responses: {
      200: jsonResponse(
        "what the shell shows",
        z.object({
          plugins: z.array(z.unknown()),
          apps: z.array(z.object({ name: z.string(), path: z.string() })),
          menu: z.array(menuEntrySchema),
        }),
      ),
      ...errorResponses(GATE),
    },
  }),
  home: describeRoute({
    summary: "The home page's section, as HTML (the shell page fetches it after a change)",
    responses: { 200: { description: "the home section" }, ...errorResponses(GATE) },
  }),
  cluster: describeRoute({
    summary:
      "The cluster view the Cluster page shows: every node's version, generation, last reconcile and degraded plugins",
    responses: {
      200: jsonResponse("the view, or { cluster: false } on a single kernel", clusterViewSchema),
      ...errorResponses({
        ...GATE,
        503: "the nodes cannot be read from PostgreSQL (BUNTIME_ERR_CLUSTER_UNREACHABLE)",
      }),
    },
  }),
  timings: describeRoute({
    summary: "How fast frames answered the shell (INIT→READY), over the last 1000 reports",
    responses: {
      200: jsonResponse("the summary, in ms", z.object({ initToReady: summarySchema })),
      ...errorResponses(GATE),
    },
  }),
  report: describeRoute({
    summary: "Reports how fast frames answered a shell",
    requestBody: {
      required: true,
      content: { "application/json": { schema: resolver(timingsReportSchema) } },
    },
    responses: {
      204: { description: "kept" },
      ...errorResponses({ ...GATE, 400: "not a short list of times (BUNTIME_ERR_BAD_REQUEST)" }),
    },
  }),
  events: describeRoute({
    summary: "Server-sent `menu` events: the whole menu, each time a plugin loads, is replaced or unloads",
    responses: { 200: { description: "text/event-stream" }, ...errorResponses(GATE) },
  }),
};
