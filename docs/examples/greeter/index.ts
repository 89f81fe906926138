/**
 * A complete Buntime plugin: settings checked by a zod schema, a service for other plugins,
 * a Hono app at its base, and a hook that stamps every response.
 */
import { definePlugin } from "@buntime/sdk";
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

let greeted = 0;
let greeting = "Hello";

const greetings: Greetings = {
  greet: (name) => {
    greeted++;
    return `${greeting}, ${name}!`;
  },
  count: () => greeted,
};

const routes = new Hono()
  .get("/", (c) => c.json({ greeted: greetings.count() }))
  .get("/:name", (c) => c.text(greetings.greet(c.req.param("name"))));

export default definePlugin({
  config: z.object({ greeting: z.string().min(1).default("Hello") }),
  onInit(ctx) {
    greeting = ctx.config.greeting; // typed as string, from the schema above
    ctx.services.provide("greetings", greetings);
    ctx.logger.info("ready", { greeting });
  },
  onResponse(response) {
    response.headers.set("x-greeter", "1");
  },
  routes,
});
