/** The bench's app: `n` sets then `n` gets through @buntime/keyval, each timed. */
import { openKv } from "@buntime/keyval";
import { timedRuns } from "@buntime/test-kit/apps";

const kv = openKv();

export default {
  async fetch(request: Request): Promise<Response> {
    const n = Number(new URL(request.url).searchParams.get("n") ?? "1000");
    const value = { name: "Ada Lovelace", roles: ["admin"] };
    const set = await timedRuns(n, (i) => kv.set(`user/${i}`, value));
    const get = await timedRuns(n, (i) => kv.get(`user/${i}`));
    return Response.json({ set, get });
  },
};
