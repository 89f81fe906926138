/** The bench's echo app: the same handler as the raw server's POST echo. */
export default {
  async fetch(request: Request): Promise<Response> {
    return new Response(await request.arrayBuffer());
  },
};
