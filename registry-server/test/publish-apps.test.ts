/** App packages (`buntime.app`, what `buntime app publish` sends) are checked as apps, not as plugins. */
import { afterAll, expect, it } from "bun:test";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
afterAll(() => registry.stop());
const token = await signUp(registry.base, "apps");

async function publish(name: string, buntime: unknown) {
  const body = publishBody(name, "1.0.0", packageTgz(name, "1.0.0", { buntime }));
  return call(registry.base, "PUT", `/${name.replace("/", "%2f")}`, { token, body });
}

it("accepts an app package and serves it like any package", async () => {
  const published = await publish("todo-app", {
    app: { entry: "index.ts", ttl: "5m", isolation: "process", env: ["DATABASE_URL"] },
  });
  expect(published.status).toBe(201);
  expect((await call(registry.base, "GET", "/todo-app")).body["dist-tags"].latest).toBe("1.0.0");
});

it.each([
  [
    { app: { ttl: "soon" } },
    /todo-bad@1\.0\.0 \(published tarball\): invalid plugin manifest: buntime\.app\.ttl/,
  ],
  [{ app: {}, kernel: ">=0.1.0" }, /an app package's buntime holds only app \(found kernel\)/],
])(
  "refuses an app package whose manifest is %j, naming the field, and stores nothing",
  async (buntime, message) => {
    const refused = await publish("todo-bad", buntime);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("BUNTIME_ERR_MANIFEST_INVALID");
    expect(refused.body.error.message).toMatch(message);
    expect((await call(registry.base, "GET", "/todo-bad")).status).toBe(404);
  },
);
