/**
 * What the deployments API's routes take and answer, for the kernel's OpenAPI document
 * (`GET /_/api/openapi.json`). Kept beside the routes so the table of routes stays readable.
 */
import { describeRoute, errorResponses, jsonResponse, resolver, virtualHostsSchema } from "@buntime/sdk";
import { z } from "zod";

const versionSchema = z.object({
  version: z.string(),
  active: z.boolean(),
  deployedBy: z.string().optional().describe("a username, or admin-token"),
  deployedAt: z.string().optional().describe("ISO time"),
});
const appSchema = z.object({
  name: z.string(),
  active: z.string().optional().describe("the active version"),
  versions: z.array(versionSchema).describe("highest first"),
});

const ADMIN = {
  401: "not signed in, where the auth plugin runs (BUNTIME_ERR_AUTH_REQUIRED)",
  403: "not an admin (BUNTIME_ERR_DEPLOY_FORBIDDEN)",
};
const NOT_FOUND = { 404: "no such app or version (BUNTIME_ERR_DEPLOY_NOT_FOUND)" };
const app = (summary: string, more: Record<number, string> = {}) =>
  describeRoute({
    summary,
    responses: {
      200: jsonResponse("the app", appSchema),
      ...errorResponses({ ...ADMIN, ...NOT_FOUND, ...more }),
    },
  });

/** The descriptions, one per route of `createDeploymentsApi`. */
export const appDescriptions = {
  hosts: describeRoute({
    summary: "The virtual hosts: host name to app",
    responses: { 200: jsonResponse("the hosts", virtualHostsSchema), ...errorResponses(ADMIN) },
  }),
  setHosts: describeRoute({
    summary: "Replaces every virtual host; a bad entry is refused by name and nothing changes",
    requestBody: {
      required: true,
      content: { "application/json": { schema: resolver(virtualHostsSchema) } },
    },
    responses: {
      200: jsonResponse("the hosts", virtualHostsSchema),
      ...errorResponses({ ...ADMIN, 400: "a bad entry (BUNTIME_ERR_DEPLOY_UPLOAD_INVALID)" }),
    },
  }),
  apps: describeRoute({
    summary: "Every deployed app, its versions, and who deployed them",
    responses: {
      200: jsonResponse("the apps", z.object({ apps: z.array(appSchema) })),
      ...errorResponses(ADMIN),
    },
  }),
  app: app("One app"),
  deploy: describeRoute({
    summary: "Deploys an app: a .tar.gz or .zip body, or a multipart form of files (a folder) or a tarball",
    parameters: [
      {
        in: "query",
        name: "activate",
        schema: { type: "string", enum: ["true", "false"], default: "true" },
        description: "make the new version active at once",
      },
      {
        in: "query",
        name: "env",
        schema: { type: "string" },
        description: 'values of the manifest\'s env variables, as JSON, e.g. {"API_URL":"https://…"}',
      },
    ],
    requestBody: {
      required: true,
      content: {
        "application/gzip": { schema: { type: "string", format: "binary" } },
        "application/zip": { schema: { type: "string", format: "binary" } },
        "multipart/form-data": {
          schema: {
            type: "object",
            properties: {
              files: { type: "array", items: { type: "string", format: "binary" } },
              tarball: { type: "string", format: "binary" },
              env: { type: "string" },
            },
          },
        },
      },
    },
    responses: {
      201: jsonResponse("deployed", z.object({ name: z.string(), version: z.string(), active: z.boolean() })),
      ...errorResponses({
        ...ADMIN,
        400: "no manifest, a bad file or env (BUNTIME_ERR_DEPLOY_UPLOAD_INVALID)",
        409: "the version exists, or the app is refused (BUNTIME_ERR_DEPLOY_VERSION_EXISTS, BUNTIME_ERR_DEPLOY_REFUSED)",
        413: "over the upload limits",
      }),
    },
  }),
  activate: app("Makes a deployed version the active one", {
    400: 'a body other than {"version":"1.2.3"} (BUNTIME_ERR_DEPLOY_UPLOAD_INVALID)',
  }),
  rollback: app("Activates the version that was active before the current one", {
    409: "no earlier version (BUNTIME_ERR_DEPLOY_REFUSED)",
  }),
  removeVersion: app("Deletes one version (never the active one)", {
    409: "the version is active (BUNTIME_ERR_DEPLOY_REFUSED)",
  }),
  removeApp: describeRoute({
    summary: "Deletes the app and every version",
    responses: { 204: { description: "deleted" }, ...errorResponses({ ...ADMIN, ...NOT_FOUND }) },
  }),
};
