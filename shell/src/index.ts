/**
 * @buntime/shell: the micro-frontend shell as a plugin. At `/shell/frame.js` it serves the frame
 * protocol (`<z-frame>` for hosts, `frameSDK` inside frames) with its typings at
 * `/shell/frame.d.ts`.
 */
import { definePlugin } from "@buntime/sdk";
import { Hono } from "hono";
import { createAssets, serveAsset } from "./server/bundles.ts";

export default definePlugin({
  setup() {
    const assets = createAssets();
    const routes = new Hono();
    routes.on(["GET", "HEAD"], "/:file{frame\\.js|frame\\.d\\.ts|shell\\.js}", async (c) => {
      const asset = assets(c.req.param("file"));
      return asset ? serveAsset(await asset, c.req.raw) : c.notFound();
    });
    return { routes };
  },
});
