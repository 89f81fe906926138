/**
 * A complete Buntime plugin: settings checked by a zod schema, a service for other plugins,
 * a Hono app at its base, and a hook that stamps every response.
 */
import { definePlugin, type RequestContext } from "@buntime/sdk";
import { Hono } from "hono";
import { z } from "zod";

/** The service this plugin provides to plugins that declare `consumes: ["greetings"]`. */
export interface Greetings {
  greet(name: string): string;
  count(): number;
}

declare module "@buntime/sdk" {
  interface Services {
    greetings: Greetings;
  }
}

export default definePlugin({
  config: z.object({ greeting: z.string().min(1).default("Hello") }),
  setup(ctx) {
    // the plugin's state lives here, one copy per load
    let greeted = 0;
    const greetings: Greetings = {
      greet: (name) => {
        greeted++;
        return `${ctx.config.greeting}, ${name}!`; // typed as string, from the schema above
      },
      count: () => greeted,
    };
    ctx.services.provide("greetings", greetings);
    ctx.logger.info("ready", { greeting: ctx.config.greeting });

    const routes = new Hono<{ Bindings: RequestContext }>()
      .get("/", (c) => c.json({ greeted: greetings.count() }))
      .get("/:name", (c) => c.text(greetings.greet(c.req.param("name"))));

    return {
      routes,
      onResponse(response) {
        response.headers.set("x-greeter", "1");
      },
    };
  },
});
