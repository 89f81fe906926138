/**
 * An isolated plugin: the kernel never imports this file; a pool worker does, runs `setup` there
 * and serves what `fetch` answers. It has no imports, so a sandbox that sees only this folder can
 * load it (a plugin with dependencies bundles them: `bun build src/index.ts --target=bun`).
 *
 * @type {import("@buntime/sdk").PluginDefinition}
 */
export default {
  setup(ctx) {
    let served = 0;
    return {
      fetch(_request, context) {
        served++;
        return Response.json({
          message: `${ctx.config.greeting ?? "Hello"} from ${ctx.name}`,
          path: context.pathname,
          served,
          signature: process.env.HELLO_SIGNATURE ?? null,
        });
      },
    };
  },
};
