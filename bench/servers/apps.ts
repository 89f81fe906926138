/**
 * The bench's handlers. The kernel server writes an app per handler that imports it from here;
 * the raw server calls them directly, so both sides run the same code.
 */
type Handler = (request: Request) => Response | Promise<Response>;

const param = (request: Request, name: string, fallback: number) =>
  Number(new URL(request.url).searchParams.get(name) ?? fallback);

/** Handler per app name; each is served at `/<name>/`. */
export const BENCH_APPS: Record<string, Handler> = {
  hello: () => new Response("hello"),
  echo: async (request) => new Response(await request.arrayBuffer()),
  /** `?size=N`: N zero bytes (default 64 KB). */
  bytes: (request) => new Response(new Uint8Array(param(request, "size", 65536))),
  /** Reads the whole POST body and answers its length. */
  upload: async (request) => new Response(String((await request.arrayBuffer()).byteLength)),
  /** `?ms=N`: answers after N ms (default 50). */
  slow: async (request) => {
    await Bun.sleep(param(request, "ms", 50));
    return new Response("slept");
  },
};
