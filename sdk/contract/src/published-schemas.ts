/**
 * The JSON Schemas the SDK publishes (in `schemas/` of this package, and at the kernel's
 * `/_/api/schemas/<id>.json`): a plugin's manifest and an app's settings, generated from the
 * zod schemas Buntime validates them with.
 */
import { appConfigSchema, appManifestSchema } from "./app-config.ts";
import type { PublishedSchema } from "./json-schema.ts";
import { manifestSchema } from "./manifest.ts";

/** The SDK's published schemas; the file of each is `schemas/<id>.schema.json` in this package. */
export const SDK_SCHEMAS: readonly PublishedSchema[] = [
  {
    id: "plugin-manifest",
    title: "Buntime plugin manifest",
    description: 'The "buntime" field of a plugin\'s package.json',
    schema: manifestSchema,
  },
  {
    id: "app-manifest",
    title: "Buntime app manifest",
    description: 'The "buntime.app" field of an app package\'s package.json',
    schema: appManifestSchema,
  },
  {
    id: "app-config",
    title: "Buntime app settings",
    description: 'An app folder\'s buntime.json (or the "buntime" field of its package.json)',
    schema: appConfigSchema,
  },
];
