/**
 * What the logs API's routes take and answer, for the kernel's OpenAPI document
 * (`GET /_/api/openapi.json`). The query is checked by `logQuery`, so what the document calls
 * invalid the routes refuse with `BUNTIME_ERR_LOGS_QUERY_INVALID`. The bare base's redirect to
 * the UI page is left out: it is a page for people.
 */
import { describeRoute, errorResponses, jsonResponse, validate } from "@buntime/sdk";
import { z } from "zod";
import { localAnswerSchema, storedEntrySchema } from "./cluster-read.ts";
import { logQuerySchema, queryInvalid } from "./log-filter.ts";

/** The query of `api/logs`, `api/tail` and `peer/logs`, refused naming the parameter. */
export const logQuery = validate("query", logQuerySchema, (problems, error) =>
  error ? queryInvalid(error) : problems,
);

const QUERY_ERROR = {
  400: "a bad query parameter, or after with node (BUNTIME_ERR_LOGS_QUERY_INVALID)",
  401: "not signed in, where the auth plugin guards the base",
};
const nodeAnswerSchema = z.discriminatedUnion("status", [
  z.object({ node: z.string(), status: z.literal("ok"), recorded: z.number(), capacity: z.number() }),
  z.object({ node: z.string(), status: z.literal("missing"), reason: z.string() }),
]);
const clusterAnswerSchema = z.object({
  entries: z.array(storedEntrySchema).describe("the newest matching lines of every node asked, oldest first"),
  truncated: z.boolean(),
  nodes: z.array(nodeAnswerSchema).describe("every node asked, in name order"),
  error: z.string().optional().describe("why the cluster's nodes could not be read"),
});

/** The descriptions, one per route of the logs API. */
export const logsDescriptions = {
  query: describeRoute({
    summary: "The log lines matching a query: this node's, or with node every node's (node=all) or one's",
    responses: {
      200: jsonResponse(
        "this node's lines, or (with node) the lines of the nodes asked",
        z.union([localAnswerSchema, clusterAnswerSchema]),
      ),
      ...errorResponses(QUERY_ERROR),
    },
  }),
  tail: describeRoute({
    summary: "A live tail of this node's lines as server-sent events (one `log` event per line)",
    description:
      "First the buffered lines after `after` (or the Last-Event-ID header a reconnecting EventSource sends), " +
      "then each new matching line. Each event's id is the line's seq and its data the line as JSON.",
    parameters: [
      {
        in: "header",
        name: "last-event-id",
        required: false,
        schema: { type: "string", pattern: "^\\d+$" },
        description: "the seq of the last line seen; used as after when after is not given",
      },
    ],
    responses: {
      200: {
        description: "the event stream (`id: <seq>`, `event: log`, `data: <line as JSON>`)",
        content: { "text/event-stream": { schema: { type: "string" } } },
      },
      ...errorResponses({
        ...QUERY_ERROR,
        400: "a bad query parameter, or node: a tail follows this node (BUNTIME_ERR_LOGS_QUERY_INVALID)",
        503: "too many tails open (BUNTIME_ERR_LOGS_TAIL_LIMIT); Retry-After says when to try again",
      }),
    },
  }),
  peer: describeRoute({
    summary: "This node's lines for another node of the cluster (with the cluster token)",
    description:
      "Only where cluster.token is set. Authorization: Bearer <cluster token>; nothing else is let in.",
    responses: {
      200: jsonResponse("this node's lines", localAnswerSchema),
      ...errorResponses({
        400: "a bad query parameter, or node: a peer answers for itself (BUNTIME_ERR_LOGS_QUERY_INVALID)",
        401: "no or the wrong cluster token (BUNTIME_ERR_LOGS_PEER_UNAUTHORIZED)",
      }),
    },
  }),
};
