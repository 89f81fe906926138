/** The bench's app: `n` sets then `n` gets through @buntime/keyval, each timed. */
import { openKv } from "@buntime/keyval";

const kv = openKv();

async function timed(n: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run(i);
    times.push(performance.now() - started);
  }
  return times;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const n = Number(new URL(request.url).searchParams.get("n") ?? "1000");
    const value = { name: "Ada Lovelace", roles: ["admin"] };
    const set = await timed(n, (i) => kv.set(`user/${i}`, value));
    const get = await timed(n, (i) => kv.get(`user/${i}`));
    return Response.json({ set, get });
  },
};
